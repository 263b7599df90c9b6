package io.mailer.devstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.devstack.DevStack;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The operator console in a real browser (Debian's headless Chromium via chromedriver) on the whole
 * embedded stack: sign in → submit a batch from the console → watch it reach COMPLETED live →
 * remove the suppression its bounce left → replay a real dead letter (SES failed every attempt) and
 * see it delivered; plus recipients filtered by status, a CSV import and export, a key created
 * (shown once) and revoked, another tenant's read-only key, a 375 px wide check, a running batch
 * cancelled from its page, and a batch followed by polling when its event stream fails. Screenshots of each page go to
 * target/console-screenshots/. Skipped (assumption) only where no chromium/chromedriver is installed;
 * .ci/run installs both.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIT {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SHOTS = Path.of("target", "console-screenshots");
    static final String BOUNCE = "bounce@simulator.amazonses.com";

    static DevStack stack;
    static MailerServices services;
    static WebDriver browser;
    static WebTestClient api;
    static String base;
    static String adminKey;
    static String batchId;

    @BeforeAll
    static void start() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "ConsoleBrowserIT needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver): "
                        + "apt-get install chromium chromium-driver (.ci/run does)");
        stack = DevStack.start(DevStack.Options.defaults());
        adminKey = stack.env().get("MAILER_BOOTSTRAP_ADMIN_KEY");
        // retries short enough that a send SES keeps failing reaches sends-dlt in seconds, not 11 minutes;
        // read once at the dispatcher's start, then cleared so later tests in this JVM get the defaults
        Map<String, String> retry = Map.of("mailer.dispatcher.retry.tier-delays", "200ms,200ms,200ms,200ms",
                "mailer.dispatcher.retry.max-attempts", "2", "mailer.dispatcher.retry.initial-backoff", "50ms");
        retry.forEach(System::setProperty);
        try {
            services = MailerServices.start(new HashMap<>(stack.env()), MailerServices.Ports.RANDOM);
        } finally {
            retry.keySet().forEach(System::clearProperty);
        }
        base = "http://localhost:" + services.ingressPort();
        api = WebTestClient.bindToServer().baseUrl(base).responseTimeout(Duration.ofSeconds(30)).build();
        Files.createDirectories(SHOTS);
        browser = chromium();
    }

    /** Explicit binary and driver: Selenium Manager must not try to download anything (no internet in CI). */
    static WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (services != null) {
            services.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void shouldSignInWithAKeyKeptInSessionStorageOnly() {
        browser.get(base + "/console");
        assertThat(browser.getCurrentUrl()).isEqualTo(base + "/console/");
        WebElement key = waitFor(By.id("api-key"));
        assertThat(browser.findElement(By.cssSelector("label[for=api-key]")).getText()).isEqualTo("API key");
        shot("01-sign-in");
        key.sendKeys(adminKey, Keys.ENTER);

        waitFor(By.id("batch-list"));
        assertThat(browser.findElement(By.id("who-text")).getText()).contains("Tenant default").contains("operator");
        assertThat(browser.getCurrentUrl()).doesNotContain(adminKey);
        assertThat(js("return sessionStorage.getItem('mailer.apiKey')")).isEqualTo(adminKey);
        assertThat(js("return localStorage.length")).isEqualTo(0L);
        // every section the operator's key allows is offered
        assertThat(browser.findElements(By.cssSelector("#nav a")).stream().filter(WebElement::isDisplayed).map(WebElement::getText))
                .containsExactly("Batches", "New batch", "Pipeline", "Suppressions", "API keys");
    }

    @Test
    @Order(2)
    void shouldSubmitABatchAndWatchItReachCompletedLive() {
        browser.findElement(By.linkText("New batch")).click();
        WebElement from = waitFor(By.name("from"));
        from.sendKeys("News <news@example.com>");
        browser.findElement(By.name("recipients")).sendKeys(String.join("\n",
                "success@simulator.amazonses.com,Success", BOUNCE + ",Bounce", "ann@example.com,Ann"));
        assertEveryControlLabelled();
        shot("02-new-batch");
        browser.findElement(By.cssSelector("#new-batch button[type=submit]")).click();

        new WebDriverWait(browser, Duration.ofSeconds(15)).until(ExpectedConditions.urlMatches("#/batches/bat_[a-z0-9]{26}$"));
        batchId = browser.getCurrentUrl().replaceAll(".*#/batches/", "");
        new WebDriverWait(browser, Duration.ofSeconds(120)).until(
                ExpectedConditions.textToBe(By.id("batch-status"), "COMPLETED"));
        new WebDriverWait(browser, Duration.ofSeconds(15)).ignoring(StaleElementReferenceException.class)
                .until(d -> count("delivered") == 2 && count("bounced") == 1);
        assertThat(count("sent")).isEqualTo(3);
        assertThat(count("queued")).isZero();
        // progress came over the SSE stream, not by polling
        assertThat(browser.findElement(By.id("batch-live")).getAttribute("data-mode")).isEqualTo("sse");
        assertThat(browser.findElement(By.id("batch-progress")).getAttribute("aria-live")).isEqualTo("polite");
        new WebDriverWait(browser, Duration.ofSeconds(15)).until(d -> !d.findElements(By.xpath("//td[text()='" + BOUNCE + "']")).isEmpty());
        shot("03-batch-completed");

        // recipients filtered by status
        new Select(browser.findElement(By.xpath("//label[text()='Recipient status']/following-sibling::select")))
                .selectByValue("BOUNCED");
        // the table is re-rendered as pages load: a reference may go stale between find and read
        new WebDriverWait(browser, Duration.ofSeconds(15)).ignoring(StaleElementReferenceException.class).until(d -> {
            String rows = d.findElement(By.xpath("//caption[text()='Recipients']/..")).getText();
            return rows.contains(BOUNCE) && !rows.contains("ann@example.com");
        });

        browser.findElement(By.linkText("Batches")).click();
        waitFor(By.linkText(batchId));
        shot("04-batches");
    }

    @Test
    @Order(3)
    void shouldRemoveTheSuppressionTheBounceLeft() {
        browser.findElement(By.linkText("Suppressions")).click();
        WebElement search = waitFor(By.name("search"));
        // the feedback service writes the bounce's suppression a moment after the outcome
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            search.clear();
            search.sendKeys(BOUNCE, Keys.ENTER);
            return !browser.findElements(By.cssSelector("#suppression-found button[aria-label='Remove " + BOUNCE + "']")).isEmpty();
        });
        assertEveryControlLabelled();
        shot("05-suppressions");
        browser.findElement(By.cssSelector("#suppression-found button[aria-label='Remove " + BOUNCE + "']")).click();
        browser.switchTo().alert().accept();
        waitFor(By.id("removed"));

        await().atMost(Duration.ofSeconds(30)).until(() -> api.get().uri("/api/v1/suppressions/" + BOUNCE)
                .header("Authorization", "Bearer " + adminKey).exchange().returnResult(String.class).getStatus().value() == 404);
    }

    @Test
    @Order(4)
    void shouldImportACsvAndExportTheList() throws IOException {
        // (the list holds nothing else now: the bounce's suppression was removed)
        Path csv = Files.createTempFile("suppressions", ".csv");
        Files.writeString(csv, "email,reason\nimported1@example.com,UNSUBSCRIBE\nimported2@example.com\n");
        browser.findElement(By.cssSelector("input[type=file]")).sendKeys(csv.toAbsolutePath().toString());
        browser.findElement(By.xpath("//button[text()='Import']")).click();
        new WebDriverWait(browser, Duration.ofSeconds(15)).until(ExpectedConditions.textToBe(By.id("status"), "Imported 2 addresses."));

        // the export holds them once the view has them (within about a second)
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            browser.findElement(By.xpath("//button[text()='Export as CSV']")).click();
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.textMatches(By.id("status"),
                    java.util.regex.Pattern.compile("^Exported \\d+ addresses\\.$")));
            assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("Exported 2 addresses.");
        });
        // a download of the CSV (the page's CSP keeps it from being read back here: connect-src 'self')
        WebElement link = browser.findElement(By.linkText("Download suppressions.csv"));
        assertThat(link.getAttribute("href")).startsWith("blob:");
        assertThat(link.getAttribute("download")).isEqualTo("suppressions.csv");
        Files.delete(csv);
    }

    @Test
    @Order(5)
    void shouldReplayADeadLetterFromThePipelinePage() {
        // SES fails every call: the one recipient goes through every retry tier into sends-dlt
        stack.ses().failServerErrors(100_000);
        String failing;
        try {
            failing = submit("dlq@example.com");
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> deadLetters(failing).size() == 1);
        } finally {
            stack.ses().failServerErrors(0);
        }

        browser.findElement(By.linkText("Pipeline")).click();
        WebElement batch = waitFor(By.name("batchId"));
        waitFor(By.id("send-rate"));
        assertThat(browser.findElement(By.id("pipeline-facts")).getText()).contains("Paused tenants");
        // the sandbox's GetAccount: 14 sends a second
        assertThat(browser.findElement(By.id("ses-limit")).getText()).startsWith("14");
        assertThat(browser.findElement(By.id("ses-paused")).getText()).startsWith("sending");
        shot("06-pipeline");
        batch.sendKeys(failing, Keys.ENTER);
        waitFor(By.id("replay-all"));
        assertThat(browser.findElement(By.id("dead-letters")).getText()).contains("dlq@example.com").contains("retries-exhausted");
        assertEveryControlLabelled();
        js("document.getElementById('dead-letters').scrollIntoView()");
        shot("07-pipeline-dead-letters");
        browser.findElement(By.id("replay-all")).click();
        assertThat(waitFor(By.id("replay-result")).getText()).isEqualTo("Replayed 1 of " + failing + ".");

        // replayed with SES healthy again: delivered
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> "COMPLETED".equals(batch(failing).get("status")) && ((Map<?, ?>) batch(failing).get("counts")).get("delivered").equals(1));
        shot("08-pipeline-replayed");

        // SES pauses the account: the pipeline page says so
        stack.ses().sendingPaused(true);
        try {
            browser.findElement(By.xpath("//button[text()='Refresh']")).click();
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.textMatches(By.id("ses-paused"), java.util.regex.Pattern.compile("^paused")));
        } finally {
            stack.ses().sendingPaused(false);
        }
    }

    @Test
    @Order(6)
    void shouldCreateAKeyShownOnceAndRevokeIt() {
        browser.findElement(By.linkText("API keys")).click();
        waitFor(By.name("name")).sendKeys("console-test");
        browser.findElement(By.cssSelector("#new-key button[type=submit]")).click();
        WebElement created = waitFor(By.id("created-key"));
        assertThat(created.getAttribute("value")).startsWith("mk_live_");
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("key-list")).getText().contains("console-test"));
        assertEveryControlLabelled();
        shot("09-api-keys");

        browser.findElement(By.cssSelector("button[aria-label='Revoke console-test']")).click();
        browser.switchTo().alert().accept();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(
                d -> d.findElements(By.cssSelector("button[aria-label='Revoke console-test']")).isEmpty());
        api.get().uri("/api/v1/batches").header("Authorization", "Bearer " + created.getAttribute("value"))
                .exchange().expectStatus().isUnauthorized();
    }

    @Test
    @Order(7)
    void shouldFitA375PixelWideScreen() {
        browser.manage().window().setSize(new Dimension(375, 800));
        try {
            browser.get(base + "/console/#/batches/" + batchId);
            new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.textToBe(By.id("batch-status"), "COMPLETED"));
            long width = (Long) js("return document.documentElement.clientWidth");
            assertThat((Long) js("return document.documentElement.scrollWidth")).isLessThanOrEqualTo(width);
            shot("10-batch-375px");
            // keyboard: from the top of the content, Tab reaches the controls in order
            browser.findElement(By.id("main")).sendKeys(Keys.TAB);
            assertThat(js("return document.activeElement.labels[0].textContent")).isEqualTo("Recipient status");
            new Actions(browser).sendKeys(Keys.TAB).perform();
            assertThat(js("return document.activeElement.textContent")).isEqualTo("Refresh recipients");
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 1000));
        }
    }

    /** Every visible form control has a label a screen reader announces. */
    private static void assertEveryControlLabelled() {
        assertThat((List<?>) js("return [...document.querySelectorAll('input,select,textarea')]"
                + ".filter(e => e.offsetParent !== null && e.labels.length === 0 && !e.getAttribute('aria-label'))"
                + ".map(e => e.name || e.id)")).as("controls without a label").isEmpty();
    }

    @Test
    @Order(8)
    void shouldShowAnotherTenantsReadKeyOnlyWhatItMay() {
        Map<?, ?> created = api.post().uri("/api/v1/api-keys").header("Authorization", "Bearer " + adminKey)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "acme-reader", "tenantId", "acme", "scopes", List.of("read")))
                .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
        browser.get(base + "/console/");
        waitFor(By.id("sign-out")).click();
        assertThat(js("return sessionStorage.length")).isEqualTo(0L);
        waitFor(By.id("api-key")).sendKeys((String) created.get("key"), Keys.ENTER);
        waitFor(By.id("batch-list"));
        assertThat(browser.findElement(By.id("who-text")).getText()).isEqualTo("Tenant acme · read");
        assertThat(browser.findElements(By.cssSelector("#nav a")).stream().filter(WebElement::isDisplayed).map(WebElement::getText))
                .containsExactly("Batches");
        // the operator's batch is not acme's
        assertThat(browser.findElement(By.id("batch-list")).getText()).doesNotContain(batchId).contains("Nothing here.");
        browser.get(base + "/console/#/pipeline");
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.textToBe(By.id("status"),
                "This API key lacks the 'admin' scope."));
        shot("11-tenant-reader");
    }

    @Test
    @Order(9)
    void shouldCancelARunningBatchFromItsPage() {
        signIn(adminKey);
        // 400 recipients at the sandbox's 14 sends a second, each SES call slowed: still running
        // when the button is pressed, however fast the machine
        stack.ses().latency(Duration.ofMillis(500));
        try {
            List<Map<String, String>> recipients = new java.util.ArrayList<>();
            for (int i = 0; i < 400; i++) {
                recipients.add(Map.of("email", "cancel-" + i + "@example.com"));
            }
            String id = submit(recipients);
            browser.get(base + "/console/#/batches/" + id);
            WebElement cancel = new WebDriverWait(browser, Duration.ofSeconds(60))
                    .until(ExpectedConditions.elementToBeClickable(By.xpath("//button[text()='Cancel batch']")));
            assertThat(browser.findElement(By.id("batch-status")).getText()).isNotIn("COMPLETED", "CANCELLED");
            cancel.click();
            browser.switchTo().alert().accept();
            new WebDriverWait(browser, Duration.ofSeconds(15)).until(ExpectedConditions.textMatches(By.id("status"),
                    java.util.regex.Pattern.compile("^Cancelling: \\d+ recipients were already handed to SES\\.$")));
            // the page follows the batch to its final state by itself (no reload)
            new WebDriverWait(browser, Duration.ofSeconds(60)).until(ExpectedConditions.textToBe(By.id("batch-status"), "CANCELLED"));
            new WebDriverWait(browser, Duration.ofSeconds(30)).ignoring(StaleElementReferenceException.class)
                    .until(d -> count("cancelled") > 0 && count("queued") == 0);
            assertThat(count("sent") + count("cancelled")).isEqualTo(400);
            assertThat(browser.findElements(By.xpath("//button[text()='Cancel batch']")).stream().noneMatch(WebElement::isDisplayed)).isTrue();
            shot("12-batch-cancelled");
        } finally {
            stack.ses().latency(Duration.ZERO);
        }
    }

    @Test
    @Order(10)
    void shouldFollowABatchByPollingWhenItsEventStreamFails() {
        // a proxy that refuses the event stream: every request for it answers 503, before the app loads
        String script = """
                const realFetch = window.fetch.bind(window);
                window.fetch = (input, init) => String(input).endsWith('/stream')
                  ? Promise.resolve(new Response('{"title":"Service Unavailable"}',
                      { status: 503, headers: { 'Content-Type': 'application/problem+json' } }))
                  : realFetch(input, init);
                """;
        ChromeDriver chrome = (ChromeDriver) browser;
        Map<String, Object> added = chrome.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", script));
        try {
            // SES slowed so the batch is still going when the page loads (else the first poll may already see it final)
            stack.ses().latency(Duration.ofSeconds(3));
            String id = submit(List.of(Map.of("email", "success@simulator.amazonses.com"), Map.of("email", "poll@example.com")));
            // a new document (not a hash change of the loaded console), so the script runs first
            browser.get("about:blank");
            browser.get(base + "/console/#/batches/" + id);
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.attributeToBe(By.id("batch-live"), "data-mode", "poll"));
            stack.ses().latency(Duration.ZERO);
            new WebDriverWait(browser, Duration.ofSeconds(120)).until(ExpectedConditions.textToBe(By.id("batch-status"), "COMPLETED"));
            new WebDriverWait(browser, Duration.ofSeconds(30)).ignoring(StaleElementReferenceException.class)
                    .until(d -> count("delivered") == 2 && count("queued") == 0);
            // polling stops once the outcomes are in, as the stream would end
            new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.textToBe(By.id("batch-live"), "Final."));
            shot("13-batch-polled");
        } finally {
            stack.ses().latency(Duration.ZERO);
            chrome.executeCdpCommand("Page.removeScriptToEvaluateOnNewDocument", Map.of("identifier", added.get("identifier")));
        }
    }

    /** Signs the tab in with {@code key}, signing out whoever is signed in. */
    private static void signIn(String key) {
        browser.get(base + "/console/");
        if (!browser.findElements(By.id("sign-out")).isEmpty() && browser.findElement(By.id("sign-out")).isDisplayed()) {
            browser.findElement(By.id("sign-out")).click();
        }
        waitFor(By.id("api-key")).sendKeys(key, Keys.ENTER);
        waitFor(By.id("batch-list"));
    }

    private static long count(String name) {
        return Long.parseLong(browser.findElement(By.cssSelector("#batch-counts li[data-count=" + name + "] strong")).getText());
    }

    private static WebElement waitFor(By by) {
        return new WebDriverWait(browser, Duration.ofSeconds(20)).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private static void shot(String name) {
        File png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        try {
            Files.copy(png.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String submit(String email) {
        return submit(List.of(Map.of("email", email)));
    }

    private static String submit(List<Map<String, String>> recipients) {
        Map<?, ?> accepted = api.post().uri("/api/v1/batches").header("Authorization", "Bearer " + adminKey)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("from", "News <news@example.com>", "subject", "Hi", "text", "Hello",
                        "recipients", recipients))
                .exchange().expectStatus().isAccepted().expectBody(Map.class).returnResult().getResponseBody();
        return (String) accepted.get("id");
    }

    private static List<?> deadLetters(String batch) {
        Map<?, ?> body = api.get().uri("/api/v1/admin/dead-letters?batchId=" + batch).header("Authorization", "Bearer " + adminKey)
                .exchange().expectBody(Map.class).returnResult().getResponseBody();
        return body == null || body.get("deadLetters") == null ? List.of() : (List<?>) body.get("deadLetters");
    }

    private static Map<?, ?> batch(String id) {
        return api.get().uri("/api/v1/batches/" + id).header("Authorization", "Bearer " + adminKey)
                .exchange().expectBody(Map.class).returnResult().getResponseBody();
    }
}
