/**
 * Where every tenant's rotation schedule starts: generation n is scheduled to sign from `epoch + n * K`. A fixed
 * instant (not the first deployment) so that the schedule is a function of config and time alone, the same for
 * every run and every machine. A tenant's first key signs at once whatever its generation number.
 */
export const ROTATION_EPOCH_SECONDS = Date.UTC(2026, 0, 1) / 1000;
