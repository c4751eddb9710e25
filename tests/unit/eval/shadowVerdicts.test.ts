/** Clinicians' verdicts on shadow advice, computed by hand on a small sheet and compared. */
import { describe, expect, it } from '@jest/globals';
import { VerdictsError } from '../../../scripts/eval/adjudication.js';
import { shadowVerdicts, shadowVerdictsMarkdown } from '../../../scripts/eval/shadowVerdicts.js';

const HEADER = 'item_id,stated_certainty,clinicians_response,summary,verdict\n';
const sheet = (rows: string[]): string => HEADER + rows.join('\n') + '\n';

describe('shadow verdicts', () => {
  const v = shadowVerdicts(
    sheet([
      'shadow-1-0,high,agreed,a,correct',
      'shadow-1-1,high,no-signal,b,correct',
      'shadow-2-0,high,disagreed,c,unsafe',
      'shadow-3-0,low,no-signal,d,incorrect',
      'shadow-3-1,low,agreed,e,correct',
      'shadow-4-0,low,no-signal,f,',
    ]),
  );

  it('counts judged, blank and unsafe items, and PPV with its Wilson interval', () => {
    expect(v).toMatchObject({ judged: 5, unjudged: 1, unsafe: 1 });
    // PPV 3/5 = 0.6; Wilson 95 %: centre (0.6 + z²/10) / (1 + z²/5), half-width as in metrics.test.ts.
    const z = 1.959963984540054;
    const z2 = z ** 2;
    const centre = (0.6 + z2 / 10) / (1 + z2 / 5);
    const half = (z / (1 + z2 / 5)) * Math.sqrt((0.6 * 0.4) / 5 + z2 / 100);
    expect(v.ppv.k).toBe(3);
    expect(v.ppv.n).toBe(5);
    expect(v.ppv.ci!.lower).toBeCloseTo(centre - half, 10);
    expect(v.ppv.ci!.upper).toBeCloseTo(centre + half, 10);
  });

  it('calibrates by stated certainty and groups by the clinicians’ response', () => {
    expect(v.calibration.high).toMatchObject({ k: 2, n: 3 });
    expect(v.calibration.low).toMatchObject({ k: 1, n: 2 });
    expect(v.byClinicianResponse).toMatchObject({
      agreed: { k: 2, n: 2 },
      disagreed: { k: 0, n: 1 },
      'no-signal': { k: 1, n: 2 },
    });
    expect(shadowVerdictsMarkdown(v, 'sheet.csv')).toContain(
      'PPV (judged correct among judged items): 60 % (3/5',
    );
  });

  it('refuses a bad verdict, an item twice and a row that is not a shadow item, naming the line', () => {
    expect(() => shadowVerdicts(sheet(['shadow-1-0,high,agreed,a,maybe']))).toThrow(
      new VerdictsError('line 2: verdict must be one of correct, incorrect, unsafe (got "maybe")'),
    );
    expect(() =>
      shadowVerdicts(sheet(['shadow-1-0,high,agreed,a,correct', 'shadow-1-0,high,agreed,a,'])),
    ).toThrow(/line 3: shadow-1-0 appears twice/);
    expect(() => shadowVerdicts(sheet(['case#1#model#0,high,agreed,a,correct']))).toThrow(
      /line 2: not a shadow item/,
    );
  });
});
