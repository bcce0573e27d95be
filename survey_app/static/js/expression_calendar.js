// Writing and formatting dates (date(), date-time(), format-date(), now()): the rest of
// survey_app/engine/expression_dates.py (reading dates is in expression_values.js), loaded
// with expression_functions.js.

import { DAY_MS, daysFromCivil, parse } from './expression_values.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Thu', 'Fri', 'Sat', 'Sun', 'Mon', 'Tue', 'Wed']; // 1970-01-01 was a Thursday
const MAX_DAYS = 100000000; // the milliseconds stay exact floats

export function civilFromDays(count) {
  const days = count + 719468;
  const era = Math.floor(days / 146097);
  const doe = days - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

const pad = (n, width) => String(n).padStart(width, '0');
const yearText = (year) => (year >= 0 ? pad(year, 4) : `-${pad(-year, 4)}`);
const inRange = (days) => Number.isFinite(days) && Math.abs(days) <= MAX_DAYS;

function fields(days) {
  const total = Math.floor(days * DAY_MS + 0.5);
  const whole = Math.floor(total / DAY_MS);
  const ms = total - whole * DAY_MS;
  const [year, month, day] = civilFromDays(whole);
  const seconds = Math.floor(ms / 1000);
  return [year, month, day, Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60, ms % 1000];
}

/** The date a number of days falls on (the fraction dropped toward zero), as ODK's date() does. */
export function dateText(days) {
  if (!inRange(days)) return NaN;
  const [year, month, day] = civilFromDays(Math.trunc(days));
  return `${yearText(year)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** The UTC date-time a number of days stands for: YYYY-MM-DDTHH:MM:SS.mmmZ. */
export function datetimeText(days) {
  if (!inRange(days)) return NaN;
  const [year, month, day, hour, minute, second, ms] = fields(days);
  return `${yearText(year)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.${pad(ms, 3)}Z`;
}

/** Calendar fields of a date text (as written) or of a number of days (UTC); null when neither. */
export function fieldsOf(value) {
  if (typeof value === 'string') {
    const parts = parse(value);
    return parts === null ? null : parts.slice(0, 7);
  }
  return inRange(value) ? fields(value) : null;
}

/** ODK's format-date: %Y %y %m %n %b %d %e %H %h %M %S %3 %a %%; other text kept. */
export function formatFields([year, month, day, hour, minute, second, ms], pattern) {
  const codes = {
    Y: yearText(year), y: pad(((year % 100) + 100) % 100, 2), m: pad(month, 2), n: String(month),
    b: MONTHS[month - 1], d: pad(day, 2), e: String(day), H: pad(hour, 2), h: String(hour),
    M: pad(minute, 2), S: pad(second, 2), 3: pad(ms, 3),
    a: WEEKDAYS[((daysFromCivil(year, month, day) % 7) + 7) % 7], '%': '%',
  };
  const chars = Array.from(pattern);
  let out = '';
  for (let i = 0; i < chars.length; i += 1) {
    if (chars[i] === '%' && i + 1 < chars.length && Object.hasOwn(codes, chars[i + 1])) {
      out += codes[chars[i + 1]];
      i += 1;
    } else {
      out += chars[i];
    }
  }
  return out;
}

/** This machine's time as ODK writes a date-time: 2026-11-22T10:30:00.000+03:30. */
export function localNow(now = new Date()) {
  const offset = -now.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const zone = `${sign}${pad(Math.floor(Math.abs(offset) / 60), 2)}:${pad(Math.abs(offset) % 60, 2)}`;
  return `${yearText(now.getFullYear())}-${pad(now.getMonth() + 1, 2)}-${pad(now.getDate(), 2)}`
    + `T${pad(now.getHours(), 2)}:${pad(now.getMinutes(), 2)}:${pad(now.getSeconds(), 2)}`
    + `.${pad(now.getMilliseconds(), 3)}${zone}`;
}
