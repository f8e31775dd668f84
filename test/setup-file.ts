// Jest setup, run before each test file: frees what earlier files (in the same process) dropped undisposed.
import { collectGarbage } from './helpers/gc';

// the tests count live tensors; a file's tensors left to the GC backstop would otherwise be freed
// during a later file's test, whenever an await lets the finalizers run
beforeAll(() => collectGarbage());
