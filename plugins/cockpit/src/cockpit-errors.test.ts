import { join } from 'node:path';
import { describeErrorCatalogue } from '@hookwork/core/testing';
import { COCKPIT_ERRORS } from './index';

describeErrorCatalogue(COCKPIT_ERRORS, join(__dirname, '../../../docs/errors.md'));
