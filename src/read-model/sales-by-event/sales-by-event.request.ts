import { z } from 'zod';
import { eventIdParam } from '../read-model.request';

export const salesByEventParams = z.strictObject({ eventId: eventIdParam });
