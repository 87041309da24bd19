import { addDays } from '../common/time/calendar-date.js';
import { withCheckDigit } from '../common/validation/nhs-number.js';
import { Random } from './prng.js';

/**
 * Synthetic patient-tracking-list rows: one row per referral, with the child's details repeated,
 * exactly as a provider PTL export looks. No real patient data: NHS numbers come from the 999 test
 * range, phones from Ofcom's drama range (07700 900xxx) and emails from example.com.
 */
export interface PtlRow {
  nhs_number: string;
  given_name: string;
  family_name: string;
  date_of_birth: string;
  address_line_1: string;
  address_line_2: string;
  town: string;
  postcode: string;
  lsoa_code: string;
  locality: string;
  deprivation_decile: string;
  contact_email: string;
  contact_phone: string;
  preferred_channel: string;
  large_print: string;
  easy_read: string;
  language: string;
  flags: string;
  referral_id: string;
  service: string;
  provider: string;
  referral_received_date: string;
  priority: string;
  status: string;
  first_appointment_date: string;
  first_appointment_outcome: string;
  rebooked_date: string;
  treatment_start_date: string;
  discharge_date: string;
}

export const PTL_COLUMNS: Array<keyof PtlRow> = [
  'nhs_number',
  'given_name',
  'family_name',
  'date_of_birth',
  'address_line_1',
  'address_line_2',
  'town',
  'postcode',
  'lsoa_code',
  'locality',
  'deprivation_decile',
  'contact_email',
  'contact_phone',
  'preferred_channel',
  'large_print',
  'easy_read',
  'language',
  'flags',
  'referral_id',
  'service',
  'provider',
  'referral_received_date',
  'priority',
  'status',
  'first_appointment_date',
  'first_appointment_outcome',
  'rebooked_date',
  'treatment_start_date',
  'discharge_date',
];

export interface DemoOptions {
  children: number;
  seed: number;
  /** The as-at date the waits are measured back from. */
  today: string;
  /** Optional: only produce rows for these (provider, service) pairs. */
  services?: string[];
}

const GIVEN = [
  'Amelia',
  'Noah',
  'Olivia',
  'Muhammad',
  'Isla',
  'George',
  'Ava',
  'Leo',
  'Freya',
  'Arthur',
  'Maya',
  'Oscar',
  'Zara',
  'Theo',
  'Aisha',
  'Jacob',
  'Lily',
  'Harry',
  'Sofia',
  'Ethan',
  'Priya',
  'Kacper',
  'Ruby',
  'Yusuf',
];
const FAMILY = [
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Williams',
  'Wilson',
  'Johnson',
  'Davies',
  'Patel',
  'Khan',
  'Robinson',
  'Wright',
  'Thompson',
  'Evans',
  'Walker',
  'Nowak',
  'Ahmed',
  'Hughes',
  'Green',
  'Hall',
];
const STREETS = [
  'Mill Lane',
  'Station Road',
  'Church Street',
  'Park Avenue',
  'Victoria Road',
  'Green Lane',
  'Manor Close',
  'Queens Road',
];
const LOCALITIES = [
  { name: 'Northbridge', town: 'Northbridge', outward: 'NB1', lsoaBase: 1000 },
  { name: 'Riverside', town: 'Northbridge', outward: 'NB4', lsoaBase: 1100 },
  { name: 'Eastfield', town: 'Eastfield', outward: 'EF2', lsoaBase: 1200 },
  { name: 'Westmoor', town: 'Westmoor', outward: 'WM3', lsoaBase: 1300 },
  { name: 'Hillcrest', town: 'Hillcrest', outward: 'HC5', lsoaBase: 1400 },
  { name: 'Millbrook', town: 'Millbrook', outward: 'MB7', lsoaBase: 1500 },
];
const SERVICES: ReadonlyArray<{
  code: string;
  providers: ReadonlyArray<readonly [string, number]>;
  weight: number;
  meanWaitDays: number;
}> = [
  { code: 'neurodiversity', providers: [['RXA', 1]], weight: 4, meanWaitDays: 300 },
  {
    code: 'slt',
    providers: [
      ['RYB', 3],
      ['RXA', 1],
    ],
    weight: 3,
    meanWaitDays: 120,
  },
  { code: 'community-paediatrics', providers: [['RXA', 1]], weight: 2, meanWaitDays: 150 },
  { code: 'mental-health', providers: [['RYB', 1]], weight: 2, meanWaitDays: 110 },
];

function isoCompact(date: string): string {
  return date.replaceAll('-', '');
}

/** The test range holds 1,000,000 stems; about 1 in 11 cannot be valid, so ~909,000 numbers exist. */
export const MAX_DEMO_CHILDREN = 900_000;

/** NHS number in the 999 test range for child `index`, always passing Modulus 11 (unique with `used`). */
export function demoNhsNumber(index: number, used?: Set<string>): string {
  let stem = (index * 7919) % 1_000_000; // 7919 is coprime with 10^6: a permutation of the stems
  for (;;) {
    const n = withCheckDigit(String(999_000_000 + stem));
    if (n && !used?.has(n)) {
      used?.add(n);
      return n;
    }
    stem = (stem + 1) % 1_000_000;
  }
}

/**
 * Yields PTL rows child by child. Roughly a quarter of children wait for more than one service;
 * waits run from days to well over two years; most pathways are still waiting, some have started
 * treatment, a few were discharged or did not attend their first appointment.
 */
export function* generateDemoRows(o: DemoOptions): Generator<PtlRow> {
  const rnd = new Random(o.seed);
  if (o.children > MAX_DEMO_CHILDREN) {
    throw new RangeError(`at most ${MAX_DEMO_CHILDREN} demo children`);
  }
  const used = new Set<string>();
  for (let i = 0; i < o.children; i++) {
    const nhs = demoNhsNumber(i, used);
    const loc = rnd.pick(LOCALITIES);
    const ageDays = rnd.int(365 * 2, 365 * 17);
    const dob = addDays(o.today, -ageDays);
    const decile = rnd.weighted([
      [1, 14],
      [2, 13],
      [3, 12],
      [4, 11],
      [5, 10],
      [6, 9],
      [7, 9],
      [8, 8],
      [9, 7],
      [10, 7],
    ] as const);
    const channel = rnd.weighted([
      ['email', 5],
      ['sms', 4],
      ['letter', 1],
    ] as const);
    const flags: string[] = [];
    const flagDate = addDays(o.today, -rnd.int(10, 700));
    if (rnd.chance(0.04)) flags.push('child-in-care');
    if (rnd.chance(0.12)) flags.push('ehcp');
    if (rnd.chance(0.05)) flags.push('safeguarding-concern');
    if (rnd.chance(0.06)) {
      flags.push(
        `not-in-school:${rnd.pick(['excluded', 'suspended', 'part-time-timetable', 'elective-home-education', 'missing-education'])}`,
      );
    }
    const serviceCount = rnd.weighted([
      [1, 75],
      [2, 17],
      [3, 6],
      [4, 2],
    ] as const);
    const chosen = new Set<(typeof SERVICES)[number]>();
    while (chosen.size < serviceCount) {
      chosen.add(rnd.weighted(SERVICES.map((s) => [s, s.weight] as const)));
    }
    const child = {
      nhs_number: nhs,
      given_name: rnd.pick(GIVEN),
      family_name: rnd.pick(FAMILY),
      date_of_birth: dob,
      address_line_1: `${rnd.int(1, 180)} ${rnd.pick(STREETS)}`,
      address_line_2: loc.name === loc.town ? '' : loc.name,
      town: loc.town,
      postcode: `${loc.outward} ${rnd.int(1, 9)}${rnd.pick(['AB', 'DE', 'FG', 'HJ', 'LN', 'PQ', 'RT', 'WX'])}`,
      lsoa_code: `E0${String(loc.lsoaBase + rnd.int(0, 40)).padStart(7, '0')}`,
      locality: loc.name,
      deprivation_decile: String(decile),
      contact_email: `family.${i}@example.com`,
      contact_phone: `07700 900${String(i % 1000).padStart(3, '0')}`,
      preferred_channel: channel,
      large_print: rnd.chance(0.03) ? 'Y' : 'N',
      easy_read: rnd.chance(0.05) ? 'Y' : 'N',
      language: rnd.weighted([
        ['en', 90],
        ['pl', 3],
        ['ur', 3],
        ['ro', 2],
        ['so', 2],
      ] as const),
      flags: flags.map((f) => `${f}@${flagDate}`).join(';'),
    };
    for (const service of chosen) {
      if (o.services && !o.services.includes(service.code)) continue;
      // Long-tailed waits: most months, some beyond two years.
      const waitDays = Math.min(
        Math.floor(-Math.log(1 - rnd.float() * 0.999) * service.meanWaitDays),
        ageDays - 30,
        1000,
      );
      const received = addDays(o.today, -Math.max(0, waitDays));
      const priority = rnd.weighted([
        ['routine', 80],
        ['soon', 8],
        ['urgent', 12],
      ] as const);
      const provider = rnd.weighted(service.providers);
      const row: PtlRow = {
        ...child,
        referral_id: `${provider}-${service.code.slice(0, 3).toUpperCase()}-${isoCompact(received)}-${String(i).padStart(7, '0')}`,
        service: service.code,
        provider,
        referral_received_date: received,
        priority,
        status: 'waiting',
        first_appointment_date: '',
        first_appointment_outcome: '',
        rebooked_date: '',
        treatment_start_date: '',
        discharge_date: '',
      };
      const outcome = rnd.float();
      if (waitDays > 60 && outcome < 0.15) {
        // Treated: clock stopped at the first definitive treatment.
        const start = addDays(received, rnd.int(20, waitDays - 5));
        row.first_appointment_date = start;
        row.first_appointment_outcome = 'attended';
        row.treatment_start_date = start;
        row.status = 'treatment-started';
      } else if (waitDays > 60 && outcome < 0.18) {
        row.discharge_date = addDays(received, rnd.int(20, waitDays - 5));
        row.status = 'discharged';
      } else if (waitDays > 90 && outcome < 0.21) {
        // First appointment not attended: clock nullified, new clock from the rebooking contact.
        const appt = addDays(received, rnd.int(20, 60));
        row.first_appointment_date = appt;
        row.first_appointment_outcome = 'dna';
        row.rebooked_date = addDays(appt, rnd.int(1, 20));
      }
      yield row;
    }
  }
}
