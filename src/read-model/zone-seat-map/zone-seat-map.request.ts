import { z } from 'zod';
import { eventIdParam, zoneIdParam } from '../read-model.request';

export const zoneSeatMapParams = z.strictObject({ eventId: eventIdParam, zoneId: zoneIdParam });
