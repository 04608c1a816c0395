import { z } from 'zod';
import { ticketIdParam } from '../read-model.request';

export const getTicketParams = z.strictObject({ ticketId: ticketIdParam });
