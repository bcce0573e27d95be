import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';

import { parseDate, toAsciiDigits } from '../../survey_app/static/js/locale.js';

const dates = JSON.parse(readFileSync(new URL('../data/solar_dates.json', import.meta.url)));
const persian = (s) => s.replace(/[0-9]/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[d]);

test('Solar Hijri dates convert as jdatetime converts them', () => {
  for (const { solar, iso } of dates.pairs) {
    assert.equal(parseDate(solar), iso, solar);
    assert.equal(parseDate(persian(solar)), iso, persian(solar));
    assert.equal(parseDate(iso), iso);
  }
});

test('impossible dates are refused', () => {
  for (const text of dates.invalid) assert.equal(parseDate(text), null, text);
});

test('Persian and Arabic-Indic digits become ASCII', () => {
  assert.equal(toAsciiDigits('۱۲۳٤٥٦ و ۱٫۵'), '123456 و 1.5');
});
