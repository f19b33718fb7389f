-- Sealed tokens are longer than 64 characters: they cannot go back to the old limit in clear.
-- Ended sagas no longer need theirs; a running saga's token is kept as it is (NOT VALID).
ALTER TABLE sagas DROP CONSTRAINT sagas_payment_token_check;
ALTER TABLE sagas ADD CONSTRAINT sagas_payment_token_check CHECK (char_length(payment_token) BETWEEN 1 AND 64) NOT VALID;
