// page.js: a script of a few kilobytes, served compressed, that reports what the browser received.
// The browser decodes gzip and br itself; the Resource Timing API tells both sizes apart:
// transferSize counts the bytes on the wire (head included), decodedBodySize the file's own bytes.

'use strict';

/** A number of bytes, readable: 1234 → "1.2 KiB". */
function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** One line per resource of this page: its name, what crossed the wire, and what it decoded to. */
function describeEntry(entry) {
  const name = new URL(entry.name).pathname;
  if (entry.transferSize === 0 && entry.decodedBodySize > 0) {
    return `${name}: from the cache (${formatBytes(entry.decodedBodySize)})`;
  }
  const body = entry.encodedBodySize;
  const decoded = entry.decodedBodySize;
  if (body === decoded) {
    return `${name}: ${formatBytes(decoded)}, sent as it is`;
  }
  const saved = decoded === 0 ? 0 : Math.round((1 - body / decoded) * 100);
  return `${name}: ${formatBytes(body)} on the wire for ${formatBytes(decoded)} of file (${saved}% saved)`;
}

/** Every resource the page has loaded so far, the page itself first. */
function entries() {
  const navigation = performance.getEntriesByType('navigation');
  const resources = performance.getEntriesByType('resource');
  return [...navigation, ...resources];
}

/** Fills in the paragraph with id "ratio": one line per resource. */
function report() {
  const paragraph = document.getElementById('ratio');
  if (!paragraph) return;
  const lines = entries().map(describeEntry);
  paragraph.textContent = '';
  for (const line of lines) {
    const item = document.createElement('div');
    item.textContent = line;
    paragraph.appendChild(item);
  }
}

// Images may still be loading when this runs: report now, and again once everything is in.
report();
window.addEventListener('load', report);

// A note for the curious reader of this file. This script is longer than it needs to be, on
// purpose: a file of a few kilobytes shows what compression does to text. JavaScript, HTML, CSS,
// JSON and SVG are made of words and punctuation that repeat (function, const, return, </div>,
// "name":), and a compressor that finds a repeat writes "the 17 bytes from 240 bytes back" instead
// of the 17 bytes. Text usually shrinks to a quarter or a fifth of its size, sometimes much less.
//
// A PNG, a JPEG, an MP4, a WOFF2 font or a ZIP archive is compressed already: its bytes look like
// noise, and noise has no repeats to find. Compressing it again costs CPU on the server and on the
// client, and gains nothing, or makes the body a few bytes longer. That is why your server looks
// at the Content-Type before it compresses anything, and why the two pictures above come as they
// are while the drawing in SVG, which is text, comes compressed.
//
// Short bodies are left alone too. A gzip stream has a 10-byte header and an 8-byte trailer, and
// the chunked framing around it adds more: for a body of a few dozen bytes the compressed answer
// is longer than the plain one. Somewhere around a kilobyte the savings start to pay for the work.
