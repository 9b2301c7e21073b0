// Preloaded into pouchdb-server (`node --require`). express-pouchdb 4.2 checks database creation and deletion
// by anyone but a server admin too late:
// - `PUT /<db>`: the security plugin answers with a rejected promise where the route expects a database,
//   and the resulting TypeError ends the whole server;
// - `DELETE /<db>`: the client gets its 401, but the database stops answering anyone until a restart.
// CouchDB answers 401 to both before touching the database; this adds that check next to express-pouchdb's
// own admin-only routes, before the database routes are registered. Nothing else in the server changes.
'use strict';

const Module = require('node:module');
const path = require('node:path');

const target = path.join('express-pouchdb', 'lib', 'routes', 'authorization.js');
const load = Module._load;

Module._load = function guardedLoad(request, parent, isMain) {
  const exported = load.call(this, request, parent, isMain);
  if (typeof exported !== 'function' || !request.endsWith('routes/authorization')) return exported;
  if (!Module._resolveFilename(request, parent, isMain).endsWith(target)) return exported;
  Module._load = load; // loaded once; stop intercepting
  return function authorizationWithDatabaseAdmin(app) {
    exported(app);
    app.put('/:db', requiresServerAdmin);
    app.delete('/:db', requiresServerAdmin);
  };
};

function requiresServerAdmin(req, res, next) {
  if (req.couchSession?.userCtx?.roles?.includes('_admin')) return next();
  res
    .status(401)
    .type('application/json')
    .send(`${JSON.stringify({ error: 'unauthorized', reason: 'You are not a server admin.' })}\n`);
}
