// Stays alive, never listens.
setInterval(() => {}, 1000);
