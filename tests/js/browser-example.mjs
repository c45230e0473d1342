// Opens a page in Debian's headless Chromium (driven by playwright-core) and keeps it open
// until stdin closes, so the test can wait for posthog-js to deliver its events.
// Usage: node browser-example.mjs PAGE_URL CHROMIUM_PATH USER_DATA_DIR
import { chromium } from 'playwright-core'

const [url, executablePath, userDataDir] = process.argv.slice(2)
// posthog-js drops the events of a browser that looks like a bot: headless Chromium's user
// agent ("HeadlessChrome") and an automated one (navigator.webdriver). The page presents itself
// as the desktop Chromium a user would run.
const userAgent =
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36'
const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    userAgent,
    ignoreDefaultArgs: ['--enable-automation'],
    args: [
        '--disable-blink-features=AutomationControlled',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
    ],
})
const errors = []
try {
    const page = await context.newPage()
    page.on('pageerror', (error) => errors.push(String(error)))
    page.on('console', (message) => process.stderr.write(`console: ${message.text()}\n`))
    await page.goto(url)
    await page.waitForFunction(() => window.__posthog && window.__posthog.__loaded, null, {
        timeout: 30000,
    })
    const distinctId = await page.evaluate(() => window.__posthog.get_distinct_id())
    console.log(JSON.stringify({ distinctId, errors, version: context.browser()?.version() }))
    await new Promise((resolve) => {
        process.stdin.on('end', resolve)
        process.stdin.resume()
    })
} catch (error) {
    console.log(JSON.stringify({ error: String(error), errors }))
} finally {
    await context.close()
}
