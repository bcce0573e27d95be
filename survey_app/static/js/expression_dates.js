// Dates in the expression language, as ODK counts them: days since 1970-01-01.
// Mirrors survey_app/engine/expression_dates.py step for step (integers first, one division),
// so both engines give the same floats. Reading dates is here (every page compares dates);
// writing and formatting them is in expression_calendar.js, loaded with the other functions.

const DATE_RE = /^(-?[0-9]{4,6})-([0-9]{1,2})-([0-9]{1,2})$/;
const DATETIME_RE = /^(-?[0-9]{4,6})-([0-9]{1,2})-([0-9]{1,2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$/;
export const DAY_MS = 86400000;

export function daysFromCivil(year, month, day) {
  const y = year - (month <= 2 ? 1 : 0);
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function valid(year, month, day) {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

function offsetMinutes(zone) {
  if (!zone || zone === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0);
  return zone[0] === '-' ? -minutes : minutes;
}

/** [year, month, day, hour, minute, second, millisecond, offset in minutes], or null. */
export function parse(text) {
  const trimmed = text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
  const date = DATE_RE.exec(trimmed);
  const match = date || DATETIME_RE.exec(trimmed);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (!valid(year, month, day)) return null;
  if (date) return [year, month, day, 0, 0, 0, 0, 0];
  const [hour, minute, second] = [Number(match[4]), Number(match[5]), Number(match[6] || 0)];
  const millisecond = Number(`${match[7] || ''}000`.slice(0, 3));
  if (hour > 23 || minute > 59 || second > 59) return null;
  return [year, month, day, hour, minute, second, millisecond, offsetMinutes(match[8])];
}

/** Days since 1970-01-01 of a date or date-time text (null when it is neither). */
export function toDays(text) {
  const parts = parse(text);
  if (parts === null) return null;
  const [year, month, day, hour, minute, second, millisecond, offset] = parts;
  const days = daysFromCivil(year, month, day);
  if (!(hour || minute || second || millisecond || offset)) return days;
  const ms = ((hour * 60 + minute - offset) * 60 + second) * 1000 + millisecond;
  return days + ms / DAY_MS;
}
