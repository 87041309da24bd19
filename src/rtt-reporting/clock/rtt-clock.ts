import { daysBetween } from '../../common/time/calendar-date.js';
import { rttWeekBand } from './waits.js';

/**
 * The RTT clock engine: turns one pathway's append-only clock events into its clock periods, and
 * answers "what was the clock on census date C?". Pure (no framework, no database, no "now"); the
 * same engine serves every measurement regime (CONSULTANT_RTT, AHP_RTT, CYPMH, NONE), which differ
 * only in `ClockRules`. References are to shared/domain/reference.md and the RTT rules suite.
 *
 * Events are folded in (event date, sequence) order; an event only ever affects the clock from its
 * own date onwards, so the state on a census date depends only on events dated on or before it.
 *
 * Rules implemented (the rule number is kept on each period as `startRule` / `stopRule`):
 *
 * Clock starts
 * - R1  `referral-received` with no clock running starts a clock on the event date, the date the
 *       provider received the referral (Rules 1 and 2; self-referrals included). A second
 *       `referral-received` while a clock runs does not restart it: the earliest date wins, and an
 *       inter-provider transfer keeps the original start (§1.1 "Start date").
 * - R2  `re-referred` (or `referral-received`) after a completed period starts a new clock on the
 *       date the new referral is received (Rule 3c). While a clock runs it changes nothing.
 * - R3  `active-monitoring-ended` after an active-monitoring stop starts a new clock on the date
 *       of the decision to treat (Rule 3d, §1.7 "Resuming after active monitoring").
 * - R4  `rebooked` after a nullified clock starts a new clock at zero on the date the family made
 *       contact or a clinician decided to offer another first appointment; it is never linked back
 *       to the old start (Rule 3e, §1.4). While a clock runs, a rebooking changes nothing.
 * - R5  Any other activity on a pathway that has never had a clock opens a period with an UNKNOWN
 *       clock start; it is counted in "Patients with unknown clock start date", never banded (§2.1).
 *       A later `referral-received` supplies the start.
 *
 * Clock stops (the period is completed on the event date; completed pathways run to the stop, §1.8)
 * - R6  `treatment-started`: first definitive treatment (Rule 4). Admitted when the event's detail
 *       says so (admission date = stop date), otherwise non-admitted (§1.9).
 * - R7  `returned-to-primary-care` (Rule 5a), `active-monitoring` (5b), `declined` (5c),
 *       `decision-not-to-treat` (5d): non-treatment stops on the decision date.
 * - R8  `discharged`: a clinical discharge, including discharge after a later DNA under a published
 *       DNA policy (Rule 5f); the stop is the discharge date.
 * - R9  `died`: stop, RTT status 36.
 *
 * First-appointment DNA
 * - R10 `dna` of the FIRST appointment after the clock started (no appointment attended or missed
 *       since) stops and NULLIFIES the clock when the regime applies nullification (Rule 5e, §1.4;
 *       AHP RTT too, §1.12(b)). A nullified period leaves numerator and denominator from that date.
 * - R11 A `dna` of any later appointment leaves the clock running (§1.4 "Later DNAs"); only a
 *       discharge (R8) stops it. With nullification off, a first DNA is treated as a later one.
 *
 * Events that never move the clock
 * - R12 `appointment-cancelled` by the patient or the provider never stops the clock (§1.5), and a
 *       cancelled appointment does not count as the first appointment for R10.
 * - R13 There are no pauses (§1.6): `triaged`, `appointment-booked`, `appointment-attended`,
 *       `priority-changed` change nothing (an attended appointment only ends the R10 window).
 * - R14 `removed-from-source` ends the period as a validation removal: the pathway leaves the
 *       waiting list from that date but is NOT a completed pathway (it is not a clinical stop).
 * - R15 A stop when no clock is running (e.g. follow-up activity after treatment, RTT status 90)
 *       changes nothing and is noted for data quality.
 * - R16 `restored-to-source` (the referral is back on the provider's list after R14, ingest.md):
 *       the removal no longer applies, so the pathway is folded as if it had never been removed
 *       (the clock runs on from its own start; events recorded in between apply to it). Without
 *       it, a restored pathway waited on the ranked lists and in the family's view but was in no
 *       RTT count. The clock versions (clock-versions.ts) keep the removal in reports whose data
 *       cut-off is before the restore was recorded.
 * - R17 `retracted` (the source's list no longer says what an earlier event said: ingest records
 *       one when an updated row no longer derives an event it derived before, ingest.md): the
 *       events of the retracted type on the retraction's date recorded before it are left out, so
 *       a corrected referral date, first appointment (a DNA corrected to attended, or replaced by a
 *       later appointment), treatment or discharge counts as corrected. An event of that type and
 *       date recorded after it (the source said so again) counts. The clock versions keep the
 *       earlier event in reports whose data cut-off is before the retraction.
 */
/** The clock_event vocabulary (src/referrals/entities/clock-event.entity.ts), repeated here to keep the engine pure. */
export type ClockEventType =
  | 'referral-received'
  | 'triaged'
  | 'appointment-booked'
  | 'appointment-attended'
  | 'appointment-cancelled'
  | 'dna'
  | 'rebooked'
  | 'treatment-started'
  | 'active-monitoring'
  | 'active-monitoring-ended'
  | 'decision-not-to-treat'
  | 'declined'
  | 'returned-to-primary-care'
  | 'discharged'
  | 'died'
  | 're-referred'
  | 'removed-from-source'
  | 'restored-to-source'
  | 'retracted'
  | 'priority-changed';

export interface ClockEventInput {
  /** A ClockEventType; anything else is noted as 'unknown-event-type' and changes nothing. */
  type: string;
  /** Europe/London calendar date "YYYY-MM-DD". */
  date: string;
  /** Tie-break for events on the same date: insertion order (clock_event.id). */
  seq: number;
  /** Admitted treatment (Rule 4: the stop is the admission date; Part 1A rather than 1B). */
  admitted?: boolean;
  /** A `retracted` event: the type of the events (on its date, recorded before it) it takes back (R17). */
  retracts?: string;
}

/** Per-regime rules (reference.md §0.2: "whether tolerances or nullification apply"). */
export interface ClockRules {
  nullifyFirstAppointmentDna: boolean;
}

export type StartRule = 'R1' | 'R2' | 'R3' | 'R4' | 'R5';
export type StopRule = 'R6' | 'R7-5a' | 'R7-5b' | 'R7-5c' | 'R7-5d' | 'R8' | 'R9' | 'R10' | 'R14';
export type PeriodEnd = 'stopped' | 'nullified' | 'removed';

export interface ClockPeriod {
  /** First day the pathway counted as waiting in this period (= clockStart unless the start is unknown). */
  openedOn: string;
  /** The clock start date; null while unknown (R5). */
  clockStart: string | null;
  startRule: StartRule;
  endedOn: string | null;
  end: PeriodEnd | null;
  stopRule: StopRule | null;
  admitted: boolean;
}

export type ClockNoteCode =
  | 'stop-without-clock'
  | 'dna-without-clock'
  | 'monitoring-ended-without-monitoring'
  | 'unknown-event-type';

export interface ClockTimeline {
  periods: ClockPeriod[];
  /** Data-quality notes (codes and dates only; never patient data). */
  notes: Array<{ code: ClockNoteCode; date: string }>;
}

const STOPS: Partial<Record<string, StopRule>> = {
  'treatment-started': 'R6',
  'returned-to-primary-care': 'R7-5a',
  'active-monitoring': 'R7-5b',
  declined: 'R7-5c',
  'decision-not-to-treat': 'R7-5d',
  discharged: 'R8',
  died: 'R9',
};
const NEUTRAL = new Set([
  'triaged',
  'appointment-booked',
  'appointment-cancelled',
  'priority-changed',
]);

/** Sorts events into fold order: by date, then by insertion sequence. */
export function inFoldOrder<T extends ClockEventInput>(events: readonly T[]): T[] {
  return [...events].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.seq - b.seq));
}

/** Folds a pathway's events (any order) into its clock periods under the given rules. */
export function computeClockTimeline(
  events: readonly ClockEventInput[],
  rules: ClockRules,
): ClockTimeline {
  const periods: ClockPeriod[] = [];
  const notes: ClockTimeline['notes'] = [];
  let open: ClockPeriod | null = null;
  let appointmentSinceStart = false; // R10 window: has the first appointment happened (attended or missed)?
  let nullified = false; // a nullified clock is waiting for a rebooking (R4)
  const ordered = inFoldOrder(events);
  // R16: a removal followed by a restore (before any later removal) no longer applies; R17: what a
  // retraction takes back. Most pathways have neither, so no set is made for them (the engine runs
  // over every pathway).
  let undone: Set<ClockEventInput> | null = null;
  let removal: ClockEventInput | null = null;
  for (const e of ordered) {
    if (e.type === 'removed-from-source') removal = e;
    else if (e.type === 'restored-to-source' && removal) {
      (undone ??= new Set()).add(removal);
      removal = null;
    } else if (e.type === 'retracted') {
      // R17: the same date's events of that type recorded before the retraction.
      for (const x of ordered) {
        if (x.date === e.date && x.type === e.retracts && x.seq < e.seq) {
          (undone ??= new Set()).add(x);
        }
      }
    }
  }

  const start = (date: string, rule: StartRule, clockStart: string | null = date) => {
    open = {
      openedOn: date,
      clockStart,
      startRule: rule,
      endedOn: null,
      end: null,
      stopRule: null,
      admitted: false,
    };
    periods.push(open);
    appointmentSinceStart = false;
    nullified = false;
  };
  const finish = (
    p: ClockPeriod,
    date: string,
    end: PeriodEnd,
    rule: StopRule,
    admitted = false,
  ) => {
    p.endedOn = date;
    p.end = end;
    p.stopRule = rule;
    p.admitted = admitted;
    open = null;
  };

  for (const e of ordered) {
    if (undone?.has(e)) continue;
    const current = open as ClockPeriod | null;
    const stopRule = STOPS[e.type];
    if (e.type === 'referral-received' || e.type === 're-referred') {
      // R1: earliest date wins while a clock runs; R5: a referral supplies an unknown start; R2: new clock.
      if (current) current.clockStart ??= e.date;
      else start(e.date, periods.length === 0 ? 'R1' : 'R2');
    } else if (e.type === 'rebooked') {
      if (!current && nullified) start(e.date, 'R4');
    } else if (e.type === 'active-monitoring-ended') {
      const last = periods[periods.length - 1];
      if (!current && last?.stopRule === 'R7-5b') start(e.date, 'R3');
      else if (!current) notes.push({ code: 'monitoring-ended-without-monitoring', date: e.date });
    } else if (e.type === 'dna') {
      if (!current) {
        if (!nullified) notes.push({ code: 'dna-without-clock', date: e.date });
      } else if (!appointmentSinceStart && rules.nullifyFirstAppointmentDna) {
        finish(current, e.date, 'nullified', 'R10');
        nullified = true;
      } else {
        appointmentSinceStart = true; // R11
      }
    } else if (e.type === 'appointment-attended') {
      if (current) appointmentSinceStart = true;
      else if (periods.length === 0) start(e.date, 'R5', null);
    } else if (stopRule) {
      if (current) {
        finish(current, e.date, 'stopped', stopRule, stopRule === 'R6' && e.admitted === true);
      } else if (periods.length === 0) {
        // R5 then stop: a completed pathway whose start is unknown.
        start(e.date, 'R5', null);
        finish(
          open as unknown as ClockPeriod,
          e.date,
          'stopped',
          stopRule,
          stopRule === 'R6' && e.admitted === true,
        );
      } else notes.push({ code: 'stop-without-clock', date: e.date });
    } else if (e.type === 'removed-from-source') {
      if (current) finish(current, e.date, 'removed', 'R14');
      nullified = false;
    } else if (e.type === 'restored-to-source' || e.type === 'retracted') {
      // R16: its removal was skipped above; the restore itself moves nothing. R17: likewise.
    } else if (NEUTRAL.has(e.type)) {
      if (!current && periods.length === 0) start(e.date, 'R5', null);
    } else {
      notes.push({ code: 'unknown-event-type', date: e.date });
    }
  }
  return { periods, notes };
}

export type CensusState = 'waiting' | 'waiting-unknown-start' | 'no-clock';

export interface ClockAtCensus {
  state: CensusState;
  clockStart: string | null;
  /** Days from clock start to the census date (incomplete pathways, §1.8). */
  waitDays: number | null;
  /** Completed weeks (floor(days / 7)). */
  weeksCompleted: number | null;
  /** NHS England week band 1..105. */
  band: number | null;
  period: ClockPeriod | null;
}

/**
 * The clock on census date `census`: waiting when a period opened on or before it and had not ended
 * by it (a clock stopped ON the census date is completed, not waiting).
 */
export function clockAt(timeline: ClockTimeline, census: string): ClockAtCensus {
  const p = timeline.periods.find(
    (x) => x.openedOn <= census && (x.endedOn === null || x.endedOn > census),
  );
  if (!p) {
    return {
      state: 'no-clock',
      clockStart: null,
      waitDays: null,
      weeksCompleted: null,
      band: null,
      period: null,
    };
  }
  if (p.clockStart === null || p.clockStart > census) {
    return {
      state: 'waiting-unknown-start',
      clockStart: null,
      waitDays: null,
      weeksCompleted: null,
      band: null,
      period: p,
    };
  }
  const waitDays = daysBetween(p.clockStart, census);
  return {
    state: 'waiting',
    clockStart: p.clockStart,
    waitDays,
    weeksCompleted: Math.floor(waitDays / 7),
    band: rttWeekBand(waitDays),
    period: p,
  };
}

/** Days from clock start to clock stop of a completed period (null when not completed or start unknown). */
export function completedWaitDays(p: ClockPeriod): number | null {
  if (p.end !== 'stopped' || p.endedOn === null || p.clockStart === null) return null;
  return daysBetween(p.clockStart, p.endedOn);
}
