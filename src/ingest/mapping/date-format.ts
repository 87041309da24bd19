/**
 * Date formats providers use in their exports, e.g. "dd/MM/yyyy", "yyyy-MM-dd", "dd.MM.yyyy",
 * "yyyyMMdd". Tokens: yyyy, MM (or M), dd (or d). Anything else is a literal separator; when the
 * format has separators, days and months may have one or two digits. A trailing time ("14:30" or "14:30:00", as spreadsheets add) is ignored. PURE.
 */
export interface DateParser {
  format: string;
  /** ISO "YYYY-MM-DD" (not yet checked to be a real date), or null when the text has another shape. */
  parse(text: string): string | null;
}

const TOKEN = /yyyy|MM|M|dd|d/g;

export function dateFormatProblem(format: string): string | null {
  const tokens = format.match(TOKEN) ?? [];
  const sorted = [...tokens]
    .map((t) => t[0])
    .sort()
    .join('');
  if (sorted !== 'Mdy') {
    return `date format "${format}" must contain yyyy, MM (or M) and dd (or d) once each`;
  }
  return null;
}

export function compileDateFormat(format: string): DateParser {
  const problem = dateFormatProblem(format);
  if (problem) throw new RangeError(problem);
  const order: Array<'y' | 'M' | 'd'> = [];
  // With separators, a day or month may lose its leading zero (7/9/2012), as spreadsheets often write it.
  const separated = /[^yMd]/.test(format);
  let pattern = '';
  let last = 0;
  for (const m of format.matchAll(TOKEN)) {
    pattern += escape(format.slice(last, m.index));
    last = m.index + m[0].length;
    order.push(m[0][0] as 'y' | 'M' | 'd');
    pattern +=
      m[0] === 'yyyy' ? '(\\d{4})' : m[0].length === 2 && !separated ? '(\\d{2})' : '(\\d{1,2})';
  }
  pattern += escape(format.slice(last));
  const re = new RegExp(`^${pattern}(?:[ T]\\d{1,2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?)?$`);
  return {
    format,
    parse(text: string): string | null {
      const m = re.exec(text.trim());
      if (!m) return null;
      const parts: Record<string, string> = {};
      order.forEach((k, i) => (parts[k] = m[i + 1]));
      return `${parts.y}-${parts.M.padStart(2, '0')}-${parts.d.padStart(2, '0')}`;
    },
  };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
