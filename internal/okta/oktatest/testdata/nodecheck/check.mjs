// Drives the official Okta Node SDK, unchanged, against an oktatest fake
// org. The Go test TestNodeSDKFidelity seeds the org, runs this script and
// then inspects the org and its request log.
//
// Input (environment): ORG_URL, TOKEN, and for the OAuth check CLIENT_ID,
// PRIVATE_KEY (PEM), KEY_ID. Output: one line "ok <step>" per passed step;
// the first failure prints "FAIL <step>: <reason>" and exits with status 1.

import okta from '@okta/okta-sdk-nodejs';

const orgUrl = process.env.ORG_URL;
const client = new okta.Client({ orgUrl, token: process.env.TOKEN });

function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function expectOktaError(promise, status, code) {
  try {
    await promise;
  } catch (err) {
    check(err.status === status, `status ${err.status}, want ${status} (${err.message})`);
    check(err.errorCode === code, `errorCode ${err.errorCode}, want ${code}`);
    check(typeof err.errorId === 'string' && err.errorId.length > 0, 'errorId missing');
    check(Array.isArray(err.errorCauses), 'errorCauses missing');
    return err;
  }
  throw new Error(`succeeded, want HTTP ${status} ${code}`);
}

async function collect(collection) {
  const out = [];
  for await (const item of collection) {
    if (item) out.push(item);
  }
  return out;
}

const steps = [];
const step = (name, fn) => steps.push([name, fn]);
let created;

step('create', async () => {
  created = await client.groupApi.createGroup({
    group: { profile: { name: 'nodecheck:created', description: 'made by the Node SDK' } },
  });
  check(/^00g[A-Za-z0-9]{17}$/.test(created.id), `id ${created.id}`);
  check(created.type === 'OKTA_GROUP', `type ${created.type}`);
  check(created.profile.name === 'nodecheck:created', `name ${created.profile.name}`);
  check(created.created instanceof Date || typeof created.created === 'string', 'created missing');
});

step('get', async () => {
  const got = await client.groupApi.getGroup({ groupId: created.id });
  check(got.id === created.id, `id ${got.id}`);
  check(got.profile.description === 'made by the Node SDK', `description ${got.profile.description}`);
});

step('replace', async () => {
  const replaced = await client.groupApi.replaceGroup({
    groupId: created.id,
    group: { profile: { name: 'nodecheck:replaced', description: 'replaced' } },
  });
  check(replaced.profile.name === 'nodecheck:replaced', `name ${replaced.profile.name}`);
});

step('duplicate name', async () => {
  const err = await expectOktaError(
    client.groupApi.createGroup({ group: { profile: { name: 'NODECHECK:REPLACED' } } }), 400, 'E0000001');
  check(err.errorCauses.length > 0, 'no errorCauses');
});

step('missing group', async () => {
  await expectOktaError(client.groupApi.getGroup({ groupId: '00gmissing0000000000' }), 404, 'E0000007');
});

step('paging with limit', async () => {
  const groups = await collect(await client.groupApi.listGroups({ limit: 2 }));
  const names = groups.map((g) => g.profile.name).filter((n) => n.startsWith('nodecheck:page'));
  check(names.length === 5, `paged ${names.length} seeded groups, want 5: ${names}`);
  check(groups.some((g) => g.profile.name === 'Everyone'), 'Everyone missing');
});

step('search with paging', async () => {
  const groups = await collect(await client.groupApi.listGroups({
    search: 'profile.name sw "nodecheck:page"', limit: 2, sortBy: 'profile.name',
  }));
  const names = groups.map((g) => g.profile.name);
  check(JSON.stringify(names) === JSON.stringify(
    ['nodecheck:page0', 'nodecheck:page1', 'nodecheck:page2', 'nodecheck:page3', 'nodecheck:page4']),
  `names ${names}`);
});

step('q', async () => {
  const groups = await collect(await client.groupApi.listGroups({ q: 'nodecheck:page3' }));
  check(groups.length === 1 && groups[0].profile.name === 'nodecheck:page3', `q gave ${groups.map((g) => g.profile.name)}`);
});

step('filter', async () => {
  const groups = await collect(await client.groupApi.listGroups({ filter: 'type eq "BUILT_IN"' }));
  check(groups.length === 1 && groups[0].profile.name === 'Everyone', `filter gave ${groups.length}`);
});

step('expand stats', async () => {
  const groups = await collect(await client.groupApi.listGroups({ q: 'nodecheck:admins', expand: 'stats' }));
  check(groups.length === 1, `q gave ${groups.length}`);
  const stats = groups[0]._embedded && groups[0]._embedded.stats;
  check(stats && stats.hasAdminPrivlege === true, `stats ${JSON.stringify(stats)}`);
});

step('bad token', async () => {
  const bad = new okta.Client({ orgUrl, token: 'not-a-token' });
  await expectOktaError(bad.groupApi.getGroup({ groupId: created.id }), 401, 'E0000011');
});

step('delete', async () => {
  await client.groupApi.deleteGroup({ groupId: created.id });
  await expectOktaError(client.groupApi.getGroup({ groupId: created.id }), 404, 'E0000007');
});

step('group rule lifecycle', async () => {
  const target = await client.groupApi.createGroup({ group: { profile: { name: 'nodecheck:rule-target' } } });
  const rule = await client.groupApi.createGroupRule({
    groupRule: {
      type: 'group_rule',
      name: 'nodecheck rule',
      conditions: { expression: { type: 'urn:okta:expression:1.0', value: 'user.department == "Sales"' } },
      actions: { assignUserToGroups: { groupIds: [target.id] } },
    },
  });
  check(rule.status === 'INACTIVE', `status ${rule.status}`);
  await client.groupApi.activateGroupRule({ ruleId: rule.id });
  await client.groupApi.deactivateGroupRule({ ruleId: rule.id });
  await client.groupApi.deleteGroupRule({ ruleId: rule.id });
  await expectOktaError(client.groupApi.getGroupRule({ ruleId: rule.id }), 404, 'E0000007');
});

step('oauth private key', async () => {
  if (!process.env.CLIENT_ID) return;
  const oauthClient = new okta.Client({
    orgUrl,
    authorizationMode: 'PrivateKey',
    clientId: process.env.CLIENT_ID,
    scopes: ['okta.groups.read', 'okta.groups.manage'],
    privateKey: process.env.PRIVATE_KEY,
    keyId: process.env.KEY_ID,
  });
  const g = await oauthClient.groupApi.createGroup({ group: { profile: { name: 'nodecheck:oauth' } } });
  const got = await oauthClient.groupApi.getGroup({ groupId: g.id });
  check(got.profile.name === 'nodecheck:oauth', `name ${got.profile.name}`);
});

for (const [name, fn] of steps) {
  try {
    await fn();
    console.log(`ok ${name}`);
  } catch (err) {
    console.log(`FAIL ${name}: ${err && err.message ? err.message : err}`);
    process.exit(1);
  }
}
