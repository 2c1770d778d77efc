// Does its work and ends: nothing keeps the event loop alive.
console.log('no server here');
