// Sweeps up any program a crashed test worker left running (see process/reaper.ts).

import { reapStrays } from '../process/reaper.ts';

export default function setup(): () => void {
  reapStrays();
  return () => {
    reapStrays();
  };
}
