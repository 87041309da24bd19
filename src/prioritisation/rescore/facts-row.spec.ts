import { describe, expect, it } from '@jest/globals';
import { factsText, TEST_SERVICE_FACTS as SERVICES } from '../../../test/utils/facts-text.js';
import { FACTS_COLUMNS, factsRows, parseFacts } from './facts-row.js';

const ID = '3f2b8c1e-6a1d-4c1e-9b7a-0d7c2e9a1b01';
const AS_AT = '2026-11-25';
const REFS = `${ID.replace('01', 'aa')},slt,RXA,urgent,130;${ID.replace('01', 'bb')},mental-health,RXB,routine,`;

describe(parseFacts.name, () => {
  it('should read a row into the facts the rules see, with nulls, numbers and packed lists', () => {
    const [row] = parseFacts(
      factsText([
        [
          ID,
          'WW-7QK2',
          'Northbridge',
          3,
          '2019-06-25',
          REFS,
          'ehcp|not-in-school:excluded',
          'worse',
          4,
          'P1',
          52.5,
          'P2',
        ],
      ]),
      AS_AT,
      SERVICES,
    );
    expect(row).toEqual({
      facts: {
        childId: ID,
        ageYears: 7,
        ageMonths: 89,
        locality: 'Northbridge',
        deprivationDecile: 3,
        flags: ['ehcp', 'not-in-school'],
        flagDetails: ['ehcp', 'not-in-school:excluded'],
        checkIn: { answer: 'worse', daysAgo: 4 },
        referrals: [
          {
            referralId: ID.replace('01', 'aa'),
            service: 'slt',
            provider: 'RXA',
            priority: 'urgent',
            daysWaited: 130,
            targetWeeks: 18,
          },
          {
            referralId: ID.replace('01', 'bb'),
            service: 'mental-health',
            provider: 'RXB',
            priority: 'routine',
            daysWaited: null,
            targetWeeks: 18,
          },
        ],
      },
      pseudonym: 'WW-7QK2',
      overrideBand: 'P1',
      previousScore: 52.5,
      previousBand: 'P2',
      serviceNumbers: [2, 4],
    });
  });

  it("should undo COPY's and the facts query's escapes so tabs, newlines, backslashes and '|' in free text survive", () => {
    const detail = 'not-in-school:out\tsince\nMay \\ term \\N | \\p';
    // As the facts query writes a flag's detail (rescore.repository.ts): "|" separates flags.
    const escaped = detail.replaceAll('\\', '\\\\').replaceAll('|', '\\p');
    const [row] = parseFacts(
      factsText([
        [ID, 'WW-1', null, null, null, REFS, `${escaped}|ehcp`, null, null, null, null, null],
      ]),
      AS_AT,
      SERVICES,
    );
    expect(row.facts.flagDetails).toEqual([detail, 'ehcp']);
    expect(row.facts.flags).toEqual(['not-in-school', 'ehcp']);
    expect(row.facts).toMatchObject({ locality: null, ageYears: null, checkIn: null });
    expect(row.previousScore).toBeNull();
  });

  it('should read many rows and multi-byte text', () => {
    const rows = parseFacts(
      factsText(
        Array.from({ length: 3 }, (_, i) => [
          ID.replace('01', `0${i}`),
          `WW-${i}`,
          'Ynys Môn',
          i + 1,
          `${2026 - i}-11-25`,
          REFS,
          ...Array<null>(6).fill(null),
        ]),
      ),
      AS_AT,
      SERVICES,
    );
    expect(
      rows.map((r) => [r.pseudonym, r.facts.locality, r.facts.deprivationDecile, r.facts.ageYears]),
    ).toEqual([
      ['WW-0', 'Ynys Môn', 1, 0],
      ['WW-1', 'Ynys Môn', 2, 1],
      ['WW-2', 'Ynys Môn', 3, 2],
    ]);
  });

  it('should read the same rows whatever window the bytes are decoded in, a row longer than the window whole', () => {
    const rows = Array.from({ length: 40 }, (_, i) => [
      ID.replace('01', String(10 + i)),
      `WW-${i}`,
      i % 3 ? 'Llanfair Pwllgwyngyll – Ynys Môn' : null,
      (i % 10) + 1,
      '2019-06-25',
      // Row 7 waits for many services: far longer than the smallest window.
      i === 7 ? Array.from({ length: 30 }, () => REFS).join(';') : REFS,
      i % 2 ? 'not-in-school:excluded\tsince May' : null,
      null,
      null,
      null,
      null,
      null,
    ]);
    const bytes = factsText(rows);
    const whole = parseFacts(bytes, AS_AT, SERVICES, bytes.length);
    expect(whole).toHaveLength(40);
    expect(whole[7].facts.referrals).toHaveLength(60);
    expect(whole[1].facts.locality).toBe('Llanfair Pwllgwyngyll – Ynys Môn');
    for (const window of [1, 64, 200, 1000, bytes.length - 1]) {
      expect(parseFacts(bytes, AS_AT, SERVICES, window)).toEqual(whole);
    }
  });

  it('should give completed years and months as at the run date, none before birth', () => {
    const ages = (dateOfBirth: string | null) => {
      const [row] = parseFacts(
        factsText([
          [ID, 'WW-1', null, null, dateOfBirth, REFS, null, null, null, null, null, null],
        ]),
        AS_AT,
        SERVICES,
      );
      return [row.facts.ageYears, row.facts.ageMonths];
    };
    expect(ages('2020-11-25')).toEqual([6, 72]);
    expect(ages('2020-11-26')).toEqual([5, 71]);
    expect(ages('2026-10-26')).toEqual([0, 0]);
    expect(ages(AS_AT)).toEqual([0, 0]);
    expect(ages('2026-11-26')).toEqual([null, null]);
    expect(ages(null)).toEqual([null, null]);
  });

  it('should refuse a date of birth that is not written YYYY-MM-DD', () => {
    for (const written of ['25/11/2020', '2020-11-2', '20201125', '2020-1a-25']) {
      const bytes = factsText([[ID, 'WW-1', null, null, written, REFS, ...Array(6).fill(null)]]);
      expect(() => parseFacts(bytes, AS_AT, SERVICES)).toThrow(
        'a date of birth that is not YYYY-MM-DD',
      );
    }
  });

  it('should refuse a row with the wrong number of columns, naming it', () => {
    const short = new TextEncoder().encode(`${ID}\tWW-1\n`);
    expect(() => parseFacts(short, AS_AT, SERVICES)).toThrow(
      `only 2 columns, not ${FACTS_COLUMNS}`,
    );
    const long = new TextEncoder().encode(
      `${Array(FACTS_COLUMNS + 1)
        .fill('x')
        .join('\t')}\n`,
    );
    expect(() => parseFacts(long, AS_AT, SERVICES)).toThrow(`more than ${FACTS_COLUMNS} columns`);
  });

  it('should refuse a packed referral with parts missing or too many', () => {
    const facts = (refs: string) =>
      factsText([[ID, 'WW-1', null, null, null, refs, null, null, null, null, null, null]]);
    expect(() => parseFacts(facts(`${ID},slt,RXA,urgent`), AS_AT, SERVICES)).toThrow(
      'a packed referral has fewer than 5 parts',
    );
    // As the facts query packed them before each service's target and number came from the map.
    expect(() => parseFacts(facts(`${ID},slt,RXA,urgent,130,18,2`), AS_AT, SERVICES)).toThrow(
      'a packed referral has more than 5 parts',
    );
    expect(() => parseFacts(facts(`${ID},slt,RXA,urgent,130,18;${REFS}`), AS_AT, SERVICES)).toThrow(
      'a packed referral has more than 5 parts',
    );
  });

  it("should take each referral's target and service number from the services, refusing a service not among them", () => {
    const facts = (refs: string) =>
      factsText([[ID, 'WW-1', null, null, null, refs, null, null, null, null, null, null]]);
    const [row] = parseFacts(facts(`${ID},neurodiversity,RXA,routine,7;${REFS}`), AS_AT, SERVICES);
    expect(row.facts.referrals.map((r) => [r.service, r.targetWeeks, r.daysWaited])).toEqual([
      ['neurodiversity', 13, 7],
      ['slt', 18, 130],
      ['mental-health', 18, null],
    ]);
    expect(row.serviceNumbers).toEqual([1, 2, 4]);
    expect(() => parseFacts(facts(`${ID},dietetics,RXA,routine,7`), AS_AT, SERVICES)).toThrow(
      `a referral's service "dietetics" is not in the service table`,
    );
  });

  it('should give a child its referrals in referral id order, whatever order PostgreSQL read them in', () => {
    const refs = [
      `${ID.replace('01', 'cc')},mental-health,RXA,urgent,70`,
      `${ID},slt,RXA,urgent,300`,
      `${ID.replace('01', 'aa')},neurodiversity,RXA,routine,7`,
    ];
    const read = (order: number[]) =>
      parseFacts(
        factsText([
          [
            ID,
            'WW-1',
            null,
            null,
            null,
            order.map((i) => refs[i]).join(';'),
            null,
            null,
            null,
            null,
            null,
            null,
          ],
        ]),
        AS_AT,
        SERVICES,
      )[0];
    const inOrder = read([1, 2, 0]);
    expect(inOrder.facts.referrals.map((r) => [r.referralId.slice(-2), r.service])).toEqual([
      ['01', 'slt'],
      ['aa', 'neurodiversity'],
      ['cc', 'mental-health'],
    ]);
    expect(inOrder.serviceNumbers).toEqual([2, 1, 4]);
    for (const order of [
      [0, 1, 2],
      [2, 0, 1],
      [0, 2, 1],
    ]) {
      expect(read(order)).toEqual(inOrder);
    }
  });
});

describe(factsRows.name, () => {
  it('should give the rows of parseFacts one at a time, parsing each only when it is asked for', () => {
    const row = (i: number, dateOfBirth: string) => [
      ID.replace('01', String(10 + i)),
      `WW-${i}`,
      null,
      null,
      dateOfBirth,
      REFS,
      ...Array<null>(6).fill(null),
    ];
    const good = factsText(Array.from({ length: 30 }, (_, i) => row(i, '2019-06-25')));
    for (const window of [1, 100, good.length]) {
      expect([...factsRows(good, AS_AT, SERVICES, window)]).toEqual(
        parseFacts(good, AS_AT, SERVICES, window),
      );
    }
    // The third row is bad: the first two come out before it is read (a batch scored row by row
    // keeps one row alive at a time, not the batch's), and asking for it names the fault.
    const bad = factsText([row(0, '2019-06-25'), row(1, '2019-06-25'), row(2, '25/06/2019')]);
    const rows = factsRows(bad, AS_AT, SERVICES);
    expect(rows.next().value).toMatchObject({ pseudonym: 'WW-0' });
    expect(rows.next().value).toMatchObject({ pseudonym: 'WW-1' });
    expect(() => rows.next()).toThrow('a date of birth that is not YYYY-MM-DD');
  });
});
