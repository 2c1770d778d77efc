// A UDP echo that throws on the datagram "boom": the exit must be what the next wait reports.
import dgram from 'node:dgram';
import { port } from './args.ts';

const socket = dgram.createSocket('udp4');
socket.on('message', (message, rinfo) => {
  if (message.toString() === 'boom') throw new RangeError('no room for boom');
  socket.send(message, rinfo.port, rinfo.address);
});
socket.bind(port, '127.0.0.1');
