import type { ClockEventType } from './entities/clock-event.entity.js';
import type { ReferralStatus } from './entities/referral.entity.js';

/** What a provider's list says about one pathway (PTL columns or a FHIR ServiceRequest). */
export interface PathwayFacts {
  receivedDate: string;
  firstAppointmentDate?: string;
  firstAppointmentOutcome?: 'attended' | 'dna';
  /** The family re-contacted (or a clinician re-offered) after a first-appointment DNA. */
  rebookedDate?: string;
  treatmentStartDate?: string;
  activeMonitoringDate?: string;
  dischargeDate?: string;
}

/**
 * The clock events derivePathway writes: an updated row that no longer derives one of these takes
 * it back (a `retracted` event, RTT clock rule R17). Events ingest writes otherwise
 * (`priority-changed`, `removed-from-source`, `restored-to-source`) are not facts of the row.
 */
export const DERIVED_EVENT_TYPES: readonly ClockEventType[] = [
  'referral-received',
  'dna',
  'rebooked',
  'appointment-attended',
  'treatment-started',
  'active-monitoring',
  'discharged',
];

export interface DerivedEvent {
  type: ClockEventType;
  date: string;
  rttStatus: string | null;
}

export interface DerivedPathway {
  events: DerivedEvent[];
  status: Exclude<ReferralStatus, 'removed-from-source'>;
  clockStartDate: string | null;
  clockStopDate: string | null;
  clockStopReason: string | null;
}

/** The per-regime clock rule the lists share with the RTT report (config/rtt-reporting.yaml). */
export interface PathwayRules {
  nullifyFirstAppointmentDna: boolean;
}

const NULLIFYING: PathwayRules = { nullifyFirstAppointmentDna: true };

/**
 * Turns the facts a source gives into clock events and the current clock, following
 * shared/domain/reference.md §1: the clock starts when the referral is received (Rule 1); a first
 * appointment DNA nullifies it and a new clock starts at zero from the rebooking contact (§1.4,
 * Rule 3e), where the service's regime nullifies (the RTT report's rule R10/R11, the same
 * setting); first definitive treatment stops it (Rule 4); active monitoring (5b) and discharge stop it.
 */
export function derivePathway(f: PathwayFacts, rules: PathwayRules = NULLIFYING): DerivedPathway {
  const events: DerivedEvent[] = [
    { type: 'referral-received', date: f.receivedDate, rttStatus: '10' },
  ];
  let clockStartDate: string | null = f.receivedDate;
  if (f.firstAppointmentDate) {
    if (f.firstAppointmentOutcome === 'dna' && !rules.nullifyFirstAppointmentDna) {
      // Without nullification the missed first appointment is like any later one (R11): the clock
      // runs on from the referral, and a rebooking starts nothing.
      events.push({ type: 'dna', date: f.firstAppointmentDate, rttStatus: null });
      if (f.rebookedDate) {
        events.push({ type: 'rebooked', date: f.rebookedDate, rttStatus: null });
      }
    } else if (f.firstAppointmentOutcome === 'dna') {
      events.push({ type: 'dna', date: f.firstAppointmentDate, rttStatus: '33' });
      clockStartDate = null;
      if (f.rebookedDate) {
        events.push({ type: 'rebooked', date: f.rebookedDate, rttStatus: '10' });
        clockStartDate = f.rebookedDate;
      }
    } else if (
      f.firstAppointmentOutcome === 'attended' &&
      f.firstAppointmentDate !== f.treatmentStartDate
    ) {
      events.push({ type: 'appointment-attended', date: f.firstAppointmentDate, rttStatus: '20' });
    }
  }
  if (f.treatmentStartDate) {
    events.push({ type: 'treatment-started', date: f.treatmentStartDate, rttStatus: '30' });
    return {
      events,
      status: 'treatment-started',
      clockStartDate,
      clockStopDate: f.treatmentStartDate,
      clockStopReason: 'first-definitive-treatment',
    };
  }
  if (f.activeMonitoringDate) {
    events.push({ type: 'active-monitoring', date: f.activeMonitoringDate, rttStatus: '32' });
    return {
      events,
      status: 'active-monitoring',
      clockStartDate,
      clockStopDate: f.activeMonitoringDate,
      clockStopReason: 'active-monitoring',
    };
  }
  if (f.dischargeDate) {
    events.push({ type: 'discharged', date: f.dischargeDate, rttStatus: '34' });
    return {
      events,
      status: 'discharged',
      clockStartDate,
      clockStopDate: clockStartDate ? f.dischargeDate : null,
      clockStopReason: 'discharged',
    };
  }
  return {
    events,
    status: 'waiting',
    clockStartDate,
    clockStopDate: null,
    clockStopReason: clockStartDate ? null : 'nullified-first-appointment-dna',
  };
}
