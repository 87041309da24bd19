import {
  computeClockTimeline,
  type ClockEventInput,
  type ClockRules,
  type ClockTimeline,
} from './rtt-clock.js';

export interface RecordedClockEvent extends ClockEventInput {
  /** When the event became known (clock_event.recorded_at), as a key that sorts as text (zero-padded µs). */
  recordedKey: string;
}

/** The pathway's clock as known to the service between `knownFrom` (inclusive) and `knownTo` (exclusive). */
export interface ClockVersion {
  knownFrom: string;
  knownTo: string | null;
  timeline: ClockTimeline;
}

/**
 * What the service knew about one pathway's clock at every moment: one timeline per distinct
 * recorded-at instant, computed from the events recorded up to it (consecutive identical timelines
 * are merged). A report with data cut-off T uses the version with knownFrom <= T < knownTo, which
 * equals running the engine on the events with recorded_at <= T: that is what makes an as-at
 * report for last March unchanged by imports recorded after its cut-off.
 */
export function buildClockVersions(
  events: readonly RecordedClockEvent[],
  rules: ClockRules,
): ClockVersion[] {
  const keys = [...new Set(events.map((e) => e.recordedKey))].sort();
  const versions: ClockVersion[] = [];
  let previous = '';
  for (const key of keys) {
    const timeline = computeClockTimeline(
      events.filter((e) => e.recordedKey <= key),
      rules,
    );
    const fingerprint = JSON.stringify(timeline.periods);
    if (fingerprint === previous) continue;
    const last = versions[versions.length - 1];
    if (last) last.knownTo = key;
    versions.push({ knownFrom: key, knownTo: null, timeline });
    previous = fingerprint;
  }
  return versions;
}
