/** Postgres numeric comes back as "12.50"; the API shows "12.5" ("" for none). */
export function decimalText(value: string | null): string {
  if (value === null) return '';
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}
