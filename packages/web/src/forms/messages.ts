import { z } from 'zod';

/**
 * Wording for the rules the server's schemas state without a message of their own, as the console
 * shows them under a field: an empty number input is "required", not "expected number".
 */
z.config({
  customError: (issue) => {
    if (issue.code !== 'invalid_type') return undefined;
    if (issue.input === undefined || issue.input === '') return 'is required';
    if (issue.expected === 'number') return 'must be a number';
    return undefined;
  },
});
