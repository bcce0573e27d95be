// Digits and Solar Hijri dates for the browser, mirroring survey_app/engine/texts.py
// and validation.parse_date. Pure functions, no browser globals.

const NATIVE_DIGITS = '۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩';

/** Replace Persian and Arabic-Indic digits (and the Arabic decimal separator) with ASCII. */
export function toAsciiDigits(text) {
  let out = '';
  for (const ch of String(text)) {
    const index = NATIVE_DIGITS.indexOf(ch);
    if (index >= 0) out += String(index % 10);
    else if (ch === '٫') out += '.';
    else if (ch === '٬' || ch === '،') out += ',';
    else out += ch;
  }
  return out;
}

const pad = (n, width) => String(n).padStart(width, '0');

function gregorianLeap(year) {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Convert a Solar Hijri date to [year, month, day] in the Gregorian calendar (33-year rule). */
export function solarToGregorian(jy, jm, jd) {
  const y = jy + 1595;
  let days = -355668 + 365 * y + Math.floor(y / 33) * 8 + Math.floor(((y % 33) + 3) / 4)
    + jd + (jm < 7 ? (jm - 1) * 31 : (jm - 7) * 30 + 186);
  let gy = 400 * Math.floor(days / 146097);
  days %= 146097;
  if (days > 36524) {
    days -= 1;
    gy += 100 * Math.floor(days / 36524);
    days %= 36524;
    if (days >= 365) days += 1;
  }
  gy += 4 * Math.floor(days / 1461);
  days %= 1461;
  if (days > 365) {
    gy += Math.floor((days - 1) / 365);
    days = (days - 1) % 365;
  }
  let gd = days + 1;
  const monthDays = [31, gregorianLeap(gy) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  let gm = 0;
  while (gm < 12 && gd > monthDays[gm]) {
    gd -= monthDays[gm];
    gm += 1;
  }
  return [gy, gm + 1, gd];
}

function solarMonthLength(year, month) {
  if (month <= 6) return 31;
  if (month <= 11) return 30;
  // Esfand has 30 days in a leap year: the day after 29 Esfand is then not 1 Farvardin.
  const [gy, gm, gd] = solarToGregorian(year, 12, 30);
  const [ny, nm, nd] = solarToGregorian(year + 1, 1, 1);
  return gy === ny && gm === nm && gd === nd ? 29 : 30;
}

function validGregorian(y, m, d) {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * Read a typed date as ISO 'YYYY-MM-DD', or return null. A year before 1700 is Solar Hijri;
 * separators '/' or '-'; any digits.
 */
export function parseDate(text) {
  const parts = toAsciiDigits(text).trim().replace(/\//g, '-').split('-');
  if (parts.length !== 3 || parts.some((p) => !/^[0-9]+$/.test(p))) return null;
  const [y, m, d] = parts.map(Number);
  if (y < 1700) {
    if (m < 1 || m > 12 || d < 1 || d > solarMonthLength(y, m)) return null;
    const [gy, gm, gd] = solarToGregorian(y, m, d);
    return `${pad(gy, 4)}-${pad(gm, 2)}-${pad(gd, 2)}`;
  }
  return validGregorian(y, m, d) ? `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}` : null;
}

/** Today's local calendar day as 'YYYY-MM-DD'. */
export function isoDay(date) {
  return `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1, 2)}-${pad(date.getDate(), 2)}`;
}
