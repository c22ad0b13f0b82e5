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

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Group rules are asynchronous in Okta: wait, a bounded number of times.
async function eventually(what, cond) {
  for (let i = 0; i < 50; i++) {
    if (await cond()) return;
    await sleep(100);
  }
  throw new Error(`${what} did not happen`);
}

const ids = (list) => list.map((x) => x.id);
let nodeUser;
const login = 'node.check@example.com';

step('create user', async () => {
  nodeUser = await client.userApi.createUser({
    body: {
      profile: { login, email: login, firstName: 'Node', lastName: 'Check', department: 'Marketing', countryCode: 'SE' },
      credentials: { password: { value: 'Abcd1234' } },
    },
    activate: false,
  });
  check(/^00u[A-Za-z0-9]{17}$/.test(nodeUser.id), `id ${nodeUser.id}`);
  check(nodeUser.status === 'STAGED', `status ${nodeUser.status}`);
  check(!nodeUser.activated, `activated ${nodeUser.activated}`);
  await expectOktaError(
    client.userApi.createUser({ body: { profile: { login, email: login, firstName: 'Again', lastName: 'Check' } } }),
    400, 'E0000001');
});

step('activate user', async () => {
  const token = await client.userApi.activateUser({ userId: nodeUser.id, sendEmail: false });
  check(typeof token.activationToken === 'string' && token.activationToken.length > 0, 'no activation token');
  const got = await client.userApi.getUser({ userId: login });
  check(got.id === nodeUser.id, `by login: ${got.id}`);
  check(got.status === 'ACTIVE', `status ${got.status}`);
  check(got.activated, 'activated missing');
});

step('update user profile', async () => {
  const partial = await client.userApi.updateUser({ userId: nodeUser.id, user: { profile: { title: 'Editor' } } });
  check(partial.profile.title === 'Editor' && partial.profile.firstName === 'Node', `partial ${JSON.stringify(partial.profile)}`);
  const full = await client.userApi.replaceUser({
    userId: nodeUser.id,
    user: { profile: { login, email: login, firstName: 'Node', lastName: 'Check', department: 'Marketing', countryCode: 'SE' } },
  });
  check(full.profile.title === undefined || full.profile.title === null, `replace kept title ${full.profile.title}`);
});

step('list users', async () => {
  const sales = await collect(await client.userApi.listUsers({ search: 'profile.department eq "Sales"', limit: 1 }));
  check(sales.length === 3, `search found ${sales.length}, want the 3 seeded Sales users`);
  const all = await collect(await client.userApi.listUsers({ limit: 2 }));
  check(all.some((u) => u.id === nodeUser.id), 'the new user is not listed');
  const q = await collect(await client.userApi.listUsers({ q: 'node.check' }));
  check(q.length === 1 && q[0].id === nodeUser.id, `q found ${ids(q)}`);
});

step('suspend user', async () => {
  await client.userApi.suspendUser({ userId: nodeUser.id });
  const suspended = await collect(await client.userApi.listUsers({ filter: 'status eq "SUSPENDED"' }));
  check(ids(suspended).includes(nodeUser.id), 'not listed as SUSPENDED');
  await expectOktaError(client.userApi.suspendUser({ userId: nodeUser.id }), 400, 'E0000001');
  await client.userApi.unsuspendUser({ userId: nodeUser.id });
});

step('group membership', async () => {
  const g = await client.groupApi.createGroup({ group: { profile: { name: 'nodecheck:members' } } });
  for await (const u of await client.userApi.listUsers({ search: 'profile.department eq "Sales"' })) {
    await client.groupApi.assignUserToGroup({ groupId: g.id, userId: u.id });
  }
  await client.groupApi.assignUserToGroup({ groupId: g.id, userId: nodeUser.id });
  const members = await collect(await client.groupApi.listGroupUsers({ groupId: g.id, limit: 1 }));
  check(members.length === 4 && ids(members).includes(nodeUser.id), `members ${ids(members)}`);
  const groups = await collect(await client.userApi.listUserGroups({ userId: nodeUser.id }));
  check(groups.some((x) => x.profile.name === 'Everyone') && ids(groups).includes(g.id), `user's groups ${groups.map((x) => x.profile.name)}`);
  await client.groupApi.unassignUserFromGroup({ groupId: g.id, userId: nodeUser.id });
  const after = await collect(await client.groupApi.listGroupUsers({ groupId: g.id }));
  check(!ids(after).includes(nodeUser.id), 'still a member after unassign');
  await expectOktaError(client.groupApi.assignUserToGroup({ groupId: g.id, userId: '00unosuchuser0000000' }), 404, 'E0000007');
  await client.groupApi.deleteGroup({ groupId: g.id });
});

step('rule moves users', async () => {
  const target = await client.groupApi.createGroup({ group: { profile: { name: 'nodecheck:marketing' } } });
  await expectOktaError(client.groupApi.createGroupRule({
    groupRule: {
      type: 'group_rule', name: 'nodecheck bad rule',
      conditions: { expression: { type: 'urn:okta:expression:1.0', value: 'user.department == ' } },
      actions: { assignUserToGroups: { groupIds: [target.id] } },
    },
  }), 400, 'E0000001');
  const rule = await client.groupApi.createGroupRule({
    groupRule: {
      type: 'group_rule', name: 'nodecheck marketing',
      conditions: { expression: { type: 'urn:okta:expression:1.0', value: 'user.department == "Marketing"' } },
      actions: { assignUserToGroups: { groupIds: [target.id] } },
    },
  });
  await client.groupApi.activateGroupRule({ ruleId: rule.id });
  const members = async () => ids(await collect(await client.groupApi.listGroupUsers({ groupId: target.id })));
  await eventually('the rule adding the Marketing user', async () => (await members()).includes(nodeUser.id));
  await client.userApi.updateUser({ userId: nodeUser.id, user: { profile: { department: 'Design' } } });
  await eventually('the rule removing the user who left Marketing', async () => !(await members()).includes(nodeUser.id));
  await client.userApi.updateUser({ userId: nodeUser.id, user: { profile: { department: 'Marketing' } } });
  await eventually('the rule adding the user back', async () => (await members()).includes(nodeUser.id));
  await client.groupApi.deactivateGroupRule({ ruleId: rule.id });
  check((await members()).includes(nodeUser.id), 'deactivating the rule removed its members');
  await client.groupApi.deleteGroupRule({ ruleId: rule.id, removeUsers: true });
  await eventually('removeUsers taking the rule\'s members out', async () => (await members()).length === 0);
  await client.groupApi.deleteGroup({ groupId: target.id });
});

step('users me', async () => {
  const me = await client.userApi.getUser({ userId: 'me' });
  check(me.status === 'ACTIVE' && /^00u/.test(me.id), `me ${me.id} ${me.status}`);
});

step('delete user', async () => {
  await client.userApi.deleteUser({ userId: nodeUser.id });
  const deprovisioned = await client.userApi.getUser({ userId: nodeUser.id });
  check(deprovisioned.status === 'DEPROVISIONED', `after the first delete: ${deprovisioned.status}`);
  await client.userApi.deleteUser({ userId: nodeUser.id });
  await expectOktaError(client.userApi.getUser({ userId: nodeUser.id }), 404, 'E0000007');
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
