import { join } from 'node:path';
import { describeErrorCatalogue } from '@hookwork/core/testing';
import { ADMIN_ERRORS } from './index';

describeErrorCatalogue(ADMIN_ERRORS, join(__dirname, '../../../docs/errors.md'));
