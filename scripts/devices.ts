import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { mosquittoFiles } from '../server/auth/mosquitto';
import { Registry } from '../server/auth/registry';
import { loadConfig, ConfigError } from '../server/config';
import { catalogue } from '../shared/catalogue';

/**
 * `npm run devices -- <command>`: MQTT identities of the devices, in
 * DATA_DIR/credentials.json (the running server picks changes up at once).
 *   add <deviceId> --type <type> [--zone <zone>]   a new device; prints its credentials once
 *   list                                           every identity (no secrets)
 *   disable <id> | enable <id>                     refuse or accept its connections
 *   rotate <id>                                    a new password, printed once
 *   export-mosquitto <dir>                         <dir>/passwd and <dir>/acl for an external Mosquitto (docs/deployment.md)
 */
const USAGE = 'usage: npm run devices -- add <deviceId> --type <type> [--zone <zone>] | list | disable <id> | enable <id> | rotate <id> | export-mosquitto <dir>';

function fail(message: string): never {
  console.error(`devices: ${message}\n${USAGE}`);
  process.exit(2);
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) fail(err.message);
  throw err;
}

const { values, positionals } = (() => {
  try {
    return parseArgs({ allowPositionals: true, options: { type: { type: 'string' }, zone: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    fail((err as Error).message);
  }
})();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const [command, id] = positionals;
const registry = new Registry(config.dataDir, config.siteId);
const print = (v: unknown) => console.log(JSON.stringify(v, null, 2));

try {
  switch (command) {
    case 'add': {
      if (!id) fail('add needs a device id');
      const type = values.type;
      if (!type) fail('add needs --type');
      const known = catalogue.deviceTypes.map((t) => t.id);
      if (!known.includes(type)) fail(`unknown type "${type}"; one of ${known.join(', ')}`);
      if (values.zone && !catalogue.zones.some((z) => z.id === values.zone)) fail(`unknown zone "${values.zone}"; one of ${catalogue.zones.map((z) => z.id).join(', ')}`);
      const issued = await registry.add({ username: id, role: 'device', deviceId: id, type, zone: values.zone });
      print({ ...issued, note: 'the password is shown once: store it in the device now' });
      break;
    }
    case 'list':
      print(registry.list());
      break;
    case 'disable':
    case 'enable':
      if (!id) fail(`${command} needs an id`);
      registry.setDisabled(id, command === 'disable');
      print({ username: id, disabled: command === 'disable' });
      break;
    case 'rotate': {
      if (!id) fail('rotate needs an id');
      print({ ...(await registry.rotate(id)), note: 'the password is shown once; the old one no longer works' });
      break;
    }
    case 'export-mosquitto': {
      if (!id) fail('export-mosquitto needs a directory');
      const files = mosquittoFiles(registry);
      fs.mkdirSync(id, { recursive: true });
      // Written whole then renamed, so a Mosquitto reloading them (SIGHUP) never reads half a file.
      const write = (name: string, text: string, mode: number) => {
        const file = path.join(id, name);
        fs.writeFileSync(`${file}.tmp`, text, { mode });
        fs.chmodSync(`${file}.tmp`, mode);
        fs.renameSync(`${file}.tmp`, file);
        return path.resolve(file);
      };
      const passwordFile = write('passwd', files.passwords, 0o600);
      const aclFile = write('acl', files.acl, 0o644);
      print({ passwordFile, aclFile, exported: files.exported.length, skipped: files.skipped, note: 'in mosquitto.conf: password_file and acl_file with these paths, allow_anonymous false; then reload Mosquitto (SIGHUP)' });
      break;
    }
    default:
      fail(command ? `unknown command "${command}"` : 'a command is needed');
  }
} catch (err) {
  console.error(`devices: ${(err as Error).message}`);
  process.exit(1);
}
