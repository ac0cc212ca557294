/**
 * Counts turns of the event loop: a `setImmediate` chain that bumps a counter
 * each turn. Work that never yields (synchronous SQLite statements behind
 * `await`) leaves the count where it was, whatever the clock says.
 */
export function countEventLoopTurns(): { readonly turns: number; stop(): number } {
  let turns = 0;
  let ticking = true;
  const tick = () => {
    turns++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    get turns() {
      return turns;
    },
    stop() {
      ticking = false;
      return turns;
    },
  };
}
