// Drives the official @sanity/client, unchanged, against a running sanitytest fake. nodecheck_test.go
// starts the fake, seeds it, and runs this script with the connection details in the environment.
// Every check prints one JSON line {"name", "ok", "detail"}; the exit code is 1 if any check failed.
import http from 'node:http'
import {createClient} from '@sanity/client'
import {isValidSignature, SIGNATURE_HEADER_NAME} from '@sanity/webhook'

const env = (name) => {
  const v = process.env[name]
  if (!v) {
    console.error(`missing environment variable ${name}`)
    process.exit(2)
  }
  return v
}

const base = {
  projectId: env('SANITYTEST_PROJECT_ID'),
  dataset: env('SANITYTEST_DATASET'),
  apiHost: env('SANITYTEST_URL'),
  useProjectHostname: false,
  apiVersion: '2025-02-19',
  useCdn: false,
  maxRetries: 0,
}
const writer = createClient({...base, token: env('SANITYTEST_WRITE_TOKEN')})
const reader = createClient({...base, token: env('SANITYTEST_READ_TOKEN')})
const stranger = createClient({...base, token: 'sk-not-a-real-token'})
const oldReader = createClient({...base, apiVersion: '2021-10-21', token: env('SANITYTEST_READ_TOKEN')})

let failed = 0
const report = (name, ok, detail) => {
  if (!ok) failed++
  console.log(JSON.stringify({name, ok, detail: detail === undefined ? '' : String(detail)}))
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b)

// check runs fn; fn returns [ok, detail] or throws.
async function check(name, fn) {
  try {
    const [ok, detail] = await fn()
    report(name, ok, detail)
  } catch (err) {
    report(name, false, `threw ${err && err.name}: ${err && err.message}`)
  }
}

// rejects runs fn and returns the error it throws, or null.
async function rejects(fn) {
  try {
    await fn()
    return null
  } catch (err) {
    return err
  }
}

await check('fetch with params (default perspective is published)', async () => {
  const res = await reader.fetch('*[_type == $type]{_id, title} | order(_id asc)', {type: 'accessDocument'})
  const want = [{_id: 'doc-a', title: 'A'}, {_id: 'doc-b', title: 'B'}]
  return [same(res, want), JSON.stringify(res)]
})

await check('fetch with filterResponse: false returns the envelope', async () => {
  const res = await reader.fetch('count(*[_type == $type])', {type: 'accessDocument'}, {filterResponse: false})
  return [res.result === 2 && typeof res.ms === 'number' && res.query === 'count(*[_type == $type])', JSON.stringify(res)]
})

await check('perspective raw shows drafts and versions', async () => {
  const ids = await reader.fetch('*[_type == "accessDocument"]._id | order(@ asc)', {}, {perspective: 'raw'})
  return [same(ids, ['doc-a', 'doc-b', 'drafts.doc-a', 'versions.r1.doc-b']), JSON.stringify(ids)]
})

await check('perspective drafts overlays the draft', async () => {
  const title = await reader.fetch('*[_id == "doc-a"][0].title', {}, {perspective: 'drafts'})
  return [title === 'A (draft)', title]
})

await check('release perspective stack', async () => {
  const title = await reader.fetch('*[_id == "doc-b"][0].title', {}, {perspective: ['r1']})
  return [title === 'B in release r1', title]
})

await check('API before 2025-02-19 defaults to raw without versions', async () => {
  const ids = await oldReader.fetch('*[_type == "accessDocument"]._id | order(@ asc)')
  return [same(ids, ['doc-a', 'doc-b', 'drafts.doc-a']), JSON.stringify(ids)]
})

let created
await check('create returns the document with _id and _rev', async () => {
  created = await writer.create({_type: 'accessDocument', title: 'Created by Node'})
  return [typeof created._id === 'string' && created._id.length > 0 && typeof created._rev === 'string' && created.title === 'Created by Node', JSON.stringify(created)]
})

let patched
await check('patch with ifRevisionId', async () => {
  patched = await writer.patch(created._id).ifRevisionId(created._rev).set({oktaGroupId: '00g123'}).inc({n: 1}).setIfMissing({n: 0}).commit()
  return [patched.oktaGroupId === '00g123' && patched._rev !== created._rev, JSON.stringify(patched)]
})

await check('patch with a stale revision is a 409', async () => {
  const err = await rejects(() => writer.patch(created._id).ifRevisionId(created._rev).set({oktaGroupId: 'lost'}).commit())
  const doc = await reader.getDocument(created._id)
  return [err && err.statusCode === 409 && doc.oktaGroupId === '00g123', err ? `${err.statusCode} ${err.message}` : 'no error']
})

await check('a failing transaction applies nothing', async () => {
  const err = await rejects(() =>
    writer.transaction()
      .create({_id: 'tx-new', _type: 'accessDocument'})
      .patch('doc-a', (p) => p.set({title: 'changed'}))
      .create({_id: 'doc-b', _type: 'accessDocument'})
      .commit(),
  )
  const fresh = await reader.getDocument('tx-new')
  const a = await reader.getDocument('doc-a')
  const item = err && err.details && err.details.items && err.details.items[0]
  return [
    err && err.statusCode === 409 && err.details.type === 'mutationError' && item && item.index === 2 && fresh === undefined && a.title === 'A',
    err ? `${err.statusCode} ${err.message} ${JSON.stringify(err.details)}` : 'no error',
  ]
})

await check('a reused transactionId is refused', async () => {
  await writer.mutate([{createOrReplace: {_id: 'tx-doc', _type: 'x'}}], {transactionId: 'node-tx-1'})
  const err = await rejects(() => writer.mutate([{createOrReplace: {_id: 'tx-doc2', _type: 'x'}}], {transactionId: 'node-tx-1'}))
  return [err && err.statusCode === 409 && (await reader.getDocument('tx-doc2')) === undefined, err ? err.message : 'no error']
})

await check('getDocument and getDocuments', async () => {
  const doc = await reader.getDocument('doc-a')
  const missing = await reader.getDocument('no-such-doc')
  const many = await reader.getDocuments(['doc-b', 'no-such-doc', 'drafts.doc-a'])
  return [
    doc && doc.title === 'A' && missing === undefined && many.length === 3 && many[0]._id === 'doc-b' && many[1] === null && many[2]._id === 'drafts.doc-a',
    JSON.stringify({doc, missing, many}),
  ]
})

await check('delete', async () => {
  const res = await writer.delete(created._id)
  const gone = await reader.getDocument(created._id)
  return [gone === undefined && res.results.length === 1 && res.results[0].operation === 'delete', JSON.stringify(res)]
})

await check('delete by query', async () => {
  await writer.create({_id: 'tmp-1', _type: 'tmp'})
  await writer.create({_id: 'tmp-2', _type: 'tmp'})
  await writer.delete({query: '*[_type == $t]', params: {t: 'tmp'}})
  const n = await reader.fetch('count(*[_type == "tmp"])')
  return [n === 0, n]
})

await check('a bad query is a 400 queryParseError with its position', async () => {
  const err = await rejects(() => reader.fetch('*[_type == "event]'))
  return [
    err && err.statusCode === 400 && err.details && err.details.type === 'queryParseError' && typeof err.details.start === 'number' && typeof err.details.end === 'number',
    err ? `${err.statusCode} ${err.message} ${JSON.stringify(err.details)}` : 'no error',
  ]
})

await check('a missing parameter is a 400', async () => {
  const err = await rejects(() => reader.fetch('*[_type == $type]'))
  return [err && err.statusCode === 400 && /Param \$type referenced, but not provided/.test(err.message), err ? err.message : 'no error']
})

await check('a bad token is a 401', async () => {
  const err = await rejects(() => stranger.fetch('*[0]'))
  return [err && err.statusCode === 401 && /Session not found/.test(err.message), err ? `${err.statusCode} ${err.message}` : 'no error']
})

await check('a read token cannot mutate (403)', async () => {
  const err = await rejects(() => reader.create({_type: 'accessDocument'}))
  return [err && err.statusCode === 403 && /permission/i.test(err.message), err ? `${err.statusCode} ${err.message}` : 'no error']
})

await check('publish action', async () => {
  await writer.createOrReplace({_id: 'drafts.doc-c', _type: 'accessDocument', title: 'C'})
  await writer.action({actionType: 'sanity.action.document.publish', draftId: 'drafts.doc-c', publishedId: 'doc-c'})
  const pub = await reader.getDocument('doc-c')
  const draft = await reader.getDocument('drafts.doc-c')
  return [pub && pub.title === 'C' && draft === undefined, JSON.stringify({pub, draft})]
})

await check('mutate with returnDocuments and dryRun', async () => {
  const res = await writer.mutate([{createOrReplace: {_id: 'dry', _type: 'x'}}], {dryRun: true, returnDocuments: false})
  const doc = await reader.getDocument('dry')
  return [doc === undefined && res.results.length === 1, JSON.stringify(res)]
})

await check('a long query goes out as POST and still works', async () => {
  const long = 'x'.repeat(12000)
  const res = await reader.fetch('*[_id in ["doc-a", "doc-b"] && $long != ""]._id | order(@ asc)', {long})
  return [same(res, ['doc-a', 'doc-b']), JSON.stringify(res)]
})

await check('patch with insert, unset and setIfMissing', async () => {
  await writer.createOrReplace({_id: 'list', _type: 'list', items: [{_key: 'a', v: 1}, {_key: 'b', v: 2}]})
  // One insert per patch: @sanity/client merges a second insert() into the first.
  await writer.patch('list').setIfMissing({tags: []}).insert('after', 'tags[-1]', ['t1']).unset(['items[_key=="a"]']).commit()
  const doc = await writer.patch('list').insert('before', 'items[_key=="b"]', [{_key: 'c', v: 3}]).commit()
  return [same(doc.items, [{_key: 'c', v: 3}, {_key: 'b', v: 2}]) && same(doc.tags, ['t1']), JSON.stringify(doc)]
})

await check('unpublish and discard actions', async () => {
  await writer.createOrReplace({_id: 'doc-d', _type: 'accessDocument', title: 'D'})
  await writer.action({actionType: 'sanity.action.document.unpublish', draftId: 'drafts.doc-d', publishedId: 'doc-d'})
  const afterUnpublish = [await reader.getDocument('doc-d'), await reader.getDocument('drafts.doc-d')]
  await writer.action({actionType: 'sanity.action.document.discard', draftId: 'drafts.doc-d'})
  const afterDiscard = await reader.getDocument('drafts.doc-d')
  return [
    afterUnpublish[0] === undefined && afterUnpublish[1] && afterUnpublish[1].title === 'D' && afterDiscard === undefined,
    JSON.stringify({afterUnpublish, afterDiscard}),
  ]
})

await check('publishing a missing draft is an actionError', async () => {
  const err = await rejects(() => writer.action({actionType: 'sanity.action.document.publish', draftId: 'drafts.nope', publishedId: 'nope'}))
  return [err && err.statusCode >= 400 && err.details && err.details.type === 'actionError', err ? `${err.statusCode} ${err.message}` : 'no error']
})

await check('webhook delivery verifies with @sanity/webhook', async () => {
  const received = []
  const receiver = http.createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      received.push({headers: req.headers, body})
      res.writeHead(200)
      res.end()
    })
  })
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  try {
    const secret = 'node-secret'
    const resp = await fetch(`${base.apiHost}/v2021-10-04/hooks/projects/${base.projectId}`, {
      method: 'POST',
      headers: {authorization: `Bearer ${env('SANITYTEST_WRITE_TOKEN')}`, 'content-type': 'application/json'},
      body: JSON.stringify({
        type: 'document',
        name: 'node check',
        dataset: base.dataset,
        url: `http://127.0.0.1:${receiver.address().port}/hook`,
        secret,
        rule: {on: ['create'], filter: '_type == "hooked"', projection: '{_id, "op": delta::operation()}'},
      }),
    })
    if (!resp.ok) return [false, `creating the webhook: ${resp.status} ${await resp.text()}`]
    const hook = await resp.json()
    await writer.create({_id: 'not-hooked', _type: 'other'})
    await writer.create({_id: 'hooked-1', _type: 'hooked'})
    for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 50))
    if (received.length !== 1) return [false, `received ${received.length} deliveries, want 1`]
    const {headers, body} = received[0]
    const signature = headers[SIGNATURE_HEADER_NAME]
    const valid = await isValidSignature(body, signature, secret)
    const forged = await isValidSignature(body, signature, 'not-the-secret')
    return [
      valid && !forged && JSON.parse(body).op === 'create' && headers['sanity-document-id'] === 'hooked-1' &&
        headers['sanity-operation'] === 'create' && headers['sanity-webhook-id'] === hook.id && !!headers['idempotency-key'],
      JSON.stringify(received[0]),
    ]
  } finally {
    receiver.close()
  }
})

process.exit(failed ? 1 : 0)
