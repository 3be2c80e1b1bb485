import { join } from 'node:path';
import { describeErrorCatalogue } from '@hookwork/core/testing';
import { CMS_ERRORS } from './index';

describeErrorCatalogue(CMS_ERRORS, join(__dirname, '../../../docs/errors.md'));
