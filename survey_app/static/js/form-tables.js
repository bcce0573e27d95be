// The rows pulldata() reads and the option labels jr:choice-name() reads, fetched from the form
// version's own file (survey_app/form_files.py, kept offline by the service worker) before the
// first check, only by pages whose questionnaire calls those functions.

import { useTables } from './expressions.js';

export async function prepare(form, fetchJson) {
  const response = await fetchJson(form.dataset.expressionTablesUrl);
  if (!response.ok) throw new Error(`tables: ${response.status}`);
  useTables(await response.json());
}

export function extension() {
  return {};
}
