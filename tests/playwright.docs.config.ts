import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// `cargo xtask screenshots`: the README's pictures, taken from the demo by the same harness
// as the end-to-end tests (same server, same embedding page), written to ../docs/.
export default defineConfig({ ...base, testDir: './docs' });
