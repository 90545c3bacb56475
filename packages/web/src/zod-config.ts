import { z } from 'zod';

// Imported first, before any schema exists: the server's Content Security Policy allows no eval,
// and zod's compiled parsers would probe for it (a reported violation) before falling back.
z.config({ jitless: true });
