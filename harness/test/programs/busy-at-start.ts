// A loop that never gives the event loop back, before listen() is ever reached.
const started = Date.now();
while (Date.now() - started < 60_000);
