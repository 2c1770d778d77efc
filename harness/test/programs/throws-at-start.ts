console.log('starting up');
throw new Error('config file missing');
