// Every migration, in order. Listed explicitly (no globs) so the same list works compiled, under
// jest and in the TypeORM CLI. Append new migrations at the end; never edit a committed one.
import { CreateWaitingListModel1764000000000 } from './1764000000000-CreateWaitingListModel.js';
import { CreateAuditEvent1764050000000 } from './1764050000000-CreateAuditEvent.js';
import { CreateRttReporting1764400000000 } from './1764400000000-CreateRttReporting.js';
import { CreatePrioritisation1764200000000 } from './1764200000000-CreatePrioritisation.js';
import { CreateIngest1764100000000 } from './1764100000000-CreateIngest.js';
import { ProtectAuditEvent1764300000000 } from './1764300000000-ProtectAuditEvent.js';
import { ReshapePriorityScores1764200000001 } from './1764200000001-ReshapePriorityScores.js';
import { DoubleBufferPriorityScores1764200000002 } from './1764200000002-DoubleBufferPriorityScores.js';
import { SpeedUpNhsNumberCheck1764500000000 } from './1764500000000-SpeedUpNhsNumberCheck.js';
import { AppendAuditInOneStatement1764650000000 } from './1764650000000-AppendAuditInOneStatement.js';
import { FillPriorityScoresSideBySide1764600000000 } from './1764600000000-FillPriorityScoresSideBySide.js';
import { UnloggedPriorityScores1764700000000 } from './1764700000000-UnloggedPriorityScores.js';
import { SmallerScoreTableSamples1764710000000 } from './1764710000000-SmallerScoreTableSamples.js';
import { StoreRowFingerprintsAsNumbers1764900000000 } from './1764900000000-StoreRowFingerprintsAsNumbers.js';
import { ShortenAuditChildIndexPendingList1764800000000 } from './1764800000000-ShortenAuditChildIndexPendingList.js';
import { NumberServicesForReferralRankIndex1765000000000 } from './1765000000000-NumberServicesForReferralRankIndex.js';
import { KeyScoreHistoryByChild1765000000001 } from './1765000000001-KeyScoreHistoryByChild.js';
import { CleanAuditChildIndexApart1765100000000 } from './1765100000000-CleanAuditChildIndexApart.js';
import { StoreWaitsWithChildScores1765200000000 } from './1765200000000-StoreWaitsWithChildScores.js';
import { TellServiceTeamsOfFamilyCrisis1765300000000 } from './1765300000000-TellServiceTeamsOfFamilyCrisis.js';
import { PackRankKeys1765400000000 } from './1765400000000-PackRankKeys.js';
import { CoverReferralFactsInChildIndex1765500000000 } from './1765500000000-CoverReferralFactsInChildIndex.js';
import { CoverRescoreFactsInPrimaryKeys1765600000000 } from './1765600000000-CoverRescoreFactsInPrimaryKeys.js';
import { EndOverridesOfChildrenNoLongerWaiting1765700000000 } from './1765700000000-EndOverridesOfChildrenNoLongerWaiting.js';
import { RememberScoresPresent1765860000000 } from './1765860000000-RememberScoresPresent.js';
import { IndexUnreadNotices1765900000000 } from './1765900000000-IndexUnreadNotices.js';
import { RetractCorrectedFirstAppointments1765910000000 } from './1765910000000-RetractCorrectedFirstAppointments.js';

export const MIGRATIONS = [
  CreateWaitingListModel1764000000000,
  CreateAuditEvent1764050000000,
  CreateRttReporting1764400000000,
  CreatePrioritisation1764200000000,
  CreateIngest1764100000000,
  ProtectAuditEvent1764300000000,
  ReshapePriorityScores1764200000001,
  SpeedUpNhsNumberCheck1764500000000,
  DoubleBufferPriorityScores1764200000002,
  AppendAuditInOneStatement1764650000000,
  FillPriorityScoresSideBySide1764600000000,
  UnloggedPriorityScores1764700000000,
  SmallerScoreTableSamples1764710000000,
  StoreRowFingerprintsAsNumbers1764900000000,
  ShortenAuditChildIndexPendingList1764800000000,
  NumberServicesForReferralRankIndex1765000000000,
  KeyScoreHistoryByChild1765000000001,
  CleanAuditChildIndexApart1765100000000,
  StoreWaitsWithChildScores1765200000000,
  TellServiceTeamsOfFamilyCrisis1765300000000,
  PackRankKeys1765400000000,
  CoverReferralFactsInChildIndex1765500000000,
  CoverRescoreFactsInPrimaryKeys1765600000000,
  EndOverridesOfChildrenNoLongerWaiting1765700000000,
  RememberScoresPresent1765860000000,
  IndexUnreadNotices1765900000000,
  RetractCorrectedFirstAppointments1765910000000,
];
