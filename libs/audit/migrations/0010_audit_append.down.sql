DROP FUNCTION audit_append(bigint[], text[], text[], text[], text[], text[], text[], text[]);
