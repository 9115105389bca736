package dev.lakehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import java.util.logging.Level;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.Json;
import dev.lakehouse.it.harness.ManagedDaemon;
import dev.lakehouse.it.harness.Stack;
import dev.lakehouse.it.kit.ScriptedOllama;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
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
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator console in a real headless Chromium (Debian's {@code chromium}
 * driven through its {@code chromedriver}) against all eleven daemons as processes,
 * over a scripted Ollama that streams a word every 150 ms: sign-in (a wrong key's
 * problem shown, then the right one), the status board turning red when truthd is
 * killed and green when it returns (each within two refreshes), the metrics charts,
 * a streamed chat seen growing token by token with its fallback attempts, a stopped
 * stream, a validation's violations with the offending text marked, an iterate run,
 * a retrieval, a memory's history read at an earlier {@code as_of}, the journal and
 * its verification, a distillation run and an audit, a key without scopes, and the
 * page on a phone-sized viewport. After each test the browser's console must hold no
 * error but the network lines of the 4xx answers a test provoked on purpose.
 * Screenshots of every panel go to {@code it/target/console/} (docs/console.md).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {
    static final String OPS_KEY = "ops-key-0123456789abcdef";
    static final String VIEWER_KEY = "viewer-key-0123456789abcdef";
    static final Duration WAIT = Duration.ofSeconds(30);
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final Queue<String> SCRIPT = new ConcurrentLinkedQueue<>();
    static final String LONG_ANSWER = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
            + "sixteen seventeen eighteen nineteen twenty twenty-one twenty-two twenty-three twenty-four twenty-five";
    static final Path SHOTS = Stack.repoRoot().resolve("it/target/console");

    static ScriptedOllama ollama;
    static Stack stack;
    static URI gw;
    static WebDriver browser;
    static JsonNode worker;
    static final List<String> expectedNetworkErrors = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        ollama = new ScriptedOllama(body -> SCRIPT.isEmpty() ? "Hello there, friend" : SCRIPT.poll(), Duration.ofMillis(150));
        Path roster = Stack.generateRoster(3000);
        Path keys = Files.createTempFile("console-keys", ".txt");
        Files.writeString(keys, "ops:" + OPS_KEY + "\nviewer:" + VIEWER_KEY + ":status\n");
        Path budgets = Files.createTempFile("console-budgets", ".txt");
        Files.writeString(budgets, "ops day tokens=5000000\nops month cost=20\n");
        stack = Stack.builder()
                .daemon(DaemonId.OBSERVERD)
                .daemon(DaemonId.JOURNALD)
                .daemon(DaemonId.EMBEDD, Map.of("EMBEDD_OLLAMA_URL", "off"))
                .daemon(DaemonId.VECTORD)
                .daemon(DaemonId.CHATD, Map.of("CHATD_OLLAMA_URL", "http://127.0.0.1:" + ollama.port(), "CHATD_DEFAULT_MODEL", "qwen2.5:7b",
                        "LAKEHOUSE_BUDGETS_FILE", budgets.toString()))
                .daemon(DaemonId.VALIDATORD, Map.of("LAKEHOUSE_ROSTER", roster.toString(), "VALIDATORD_PLAYBOOKS", "false"))
                .daemon(DaemonId.TRUTHD)
                .daemon(DaemonId.MATRIXD, Map.of("MATRIXD_ROLE_LLM", "false"))
                .daemon(DaemonId.PATHWAYD)
                .daemon(DaemonId.DISTILLD)
                .daemon(DaemonId.GATEWAY, Map.of("LAKEHOUSE_API_KEYS_FILE", keys.toString(), "GATEWAY_METRICS_INTERVAL", "1s",
                        "LAKEHOUSE_BUDGETS_FILE", budgets.toString()))
                .start();
        gw = stack.url("gateway");
        worker = Json.mapper().readTree(call("GET", "/v1/roster/workers/W000010", null).body());
        seed();
        Files.createDirectories(SHOTS);
        browser = chromium();
        viewport(1280, 800);
    }

    /** The page's own size (the window's, less what the browser keeps for itself). */
    static void viewport(int width, int height) {
        browser.manage().window().setSize(new Dimension(width, height));
        Number extra = (Number) ((JavascriptExecutor) browser).executeScript("return window.outerHeight - window.innerHeight");
        Number extraW = (Number) ((JavascriptExecutor) browser).executeScript("return window.outerWidth - window.innerWidth");
        browser.manage().window().setSize(new Dimension(width + extraW.intValue(), height + extra.intValue()));
    }

    /** What the retrieve, memory and journal panels show: a corpus with documents, a memory with two versions, journal entries. */
    static void seed() throws Exception {
        String vectord = stack.url("vectord").toString();
        assertThat(call(stack.url("vectord"), "PUT", "/v1/indexes/jobs", "{\"dims\":384,\"metric\":\"cosine\"}").statusCode()).isEqualTo(201);
        assertThat(call("PUT", "/v1/matrix/corpora/jobs", "{\"index\":\"jobs\",\"vectord_url\":\"" + vectord + "\"}").statusCode())
                .isEqualTo(201);
        HttpResponse<String> job = call("POST", "/v1/matrix/corpora/jobs/documents", "{\"documents\":["
                + "{\"id\":\"job-1\",\"text\":\"Forklift operator, night shift, Columbus warehouse. Reach truck experience.\",\"metadata\":{\"state\":\"OH\"}},"
                + "{\"id\":\"job-2\",\"text\":\"Line cook for a downtown brunch restaurant, weekends.\",\"metadata\":{\"state\":\"OH\"}},"
                + "{\"id\":\"job-3\",\"text\":\"Night forklift driver for a Dayton distribution center.\",\"metadata\":{\"state\":\"OH\"}}]}");
        assertThat(job.statusCode()).as(job.body()).isEqualTo(202);
        String jobId = Json.mapper().readTree(job.body()).path("job_id").asText();
        for (int i = 0; i < 600 && !Json.mapper().readTree(call("GET", "/v1/matrix/jobs/" + jobId, null).body()).path("state").asText()
                .equals("done"); i++) {
            Thread.sleep(50);
        }
        HttpResponse<String> memory = call("POST", "/v1/memory", "{\"text\":\"Ana prefers night shifts\",\"kind\":\"fact\",\"role\":\"forklift operator\"}");
        assertThat(memory.statusCode()).as(memory.body()).isEqualTo(201);
        String id = Json.mapper().readTree(memory.body()).path("memory").path("id").asText();
        Thread.sleep(20);   // the second version's recorded_at after the first's
        assertThat(call("PUT", "/v1/memory/" + id, "{\"text\":\"Ana now prefers day shifts\"}").statusCode()).isEqualTo(200);
        for (String type : List.of("cutover.switch", "cutover.rollback", "ops.note")) {
            assertThat(call("POST", "/v1/journal/entries", "{\"type\":\"" + type + "\",\"actor\":\"ops:alice\",\"subject\":\"route:/v1/chat\","
                    + "\"data\":{\"to\":\"java\"}}").statusCode()).isEqualTo(201);
        }
    }

    static WebDriver chromium() {
        for (String tool : List.of("/usr/bin/chromium", "/usr/bin/chromedriver")) {
            assertThat(Path.of(tool)).as(tool + " is missing: install Debian's chromium and chromium-driver (.ci/run does)").exists();
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--window-size=1280,800", "--user-data-dir=" + tempDir("console-chromium"));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    static String tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix).toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (stack != null) {
            stack.close();
        }
        if (ollama != null) {
            ollama.close();
        }
    }

    @org.junit.jupiter.api.BeforeEach
    void freshScript() {
        SCRIPT.clear();
    }

    /** No error in the browser's console but the network lines of the 4xx this test asked for; the page as the test left it. */
    @AfterEach
    void noConsoleErrors(org.junit.jupiter.api.TestInfo test) throws Exception {
        Files.createDirectories(SHOTS.resolve("after"));
        Files.write(SHOTS.resolve("after/" + test.getTestMethod().orElseThrow().getName() + ".png"),
                ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        List<String> errors = new ArrayList<>();
        for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.WARNING.intValue()
                    && expectedNetworkErrors.stream().noneMatch(e.getMessage()::contains)) {
                errors.add(e.getLevel() + " " + e.getMessage());
            }
        }
        expectedNetworkErrors.clear();
        assertThat(errors).as("the browser's console").isEmpty();
    }

    // ---------- the tests, in the order an operator would go ----------

    @Test
    @Order(1)
    void signIn_aWrongKeyShowsItsProblem_theRightOneOpensTheConsole() throws Exception {
        browser.get(gw.resolve("/console").toString());
        WebElement key = visible(By.id("signin-key"));
        assertThat(browser.getCurrentUrl()).endsWith("/console/");
        shot("signin");
        expectedNetworkErrors.add("api/session - Failed to load resource: the server responded with a status of 401");
        key.sendKeys("not-a-key-of-this-gateway", Keys.ENTER);   // the keyboard signs in
        WebElement error = visible(By.id("signin-error"));
        assertThat(error.getText()).contains("401", "invalid_api_key", "the API key is not known");
        assertThat(storedKey()).isNull();
        key.clear();
        key.sendKeys(OPS_KEY);
        browser.findElement(By.cssSelector("#signin-form button")).click();
        waitFor(() -> browser.findElement(By.id("who")).getText().contains("signed in as ops"));
        assertThat(storedKey()).isEqualTo(OPS_KEY);
        assertThat(browser.findElement(By.id("signin")).isDisplayed()).isFalse();
    }

    @Test
    @Order(2)
    void statusBoard_showsEveryDaemon_turnsRedWhenOneDies_andGreenWhenItReturns() throws Exception {
        tab("status");
        for (String d : List.of("gateway", "embedd", "vectord", "chatd", "matrixd", "validatord", "truthd", "pathwayd", "observerd",
                "journald", "distilld")) {
            waitFor(() -> "up".equals(row(d).getAttribute("data-state")));
        }
        WebElement truthd = row("truthd");
        assertThat(truthd.getText()).contains("UP", "READY", "CLOSED", "MiB", "0.1.0");
        shot("status");

        ManagedDaemon daemon = stack.daemon("truthd");
        int before = refreshes();
        assertThat(daemon.kill9()).isEqualTo(137);
        waitFor(() -> "down".equals(row("truthd").getAttribute("data-state")));
        assertThat(refreshes() - before).as("refreshes until red").isLessThanOrEqualTo(2);
        assertThat(row("truthd").getText()).contains("DOWN");
        assertThat(browser.findElement(By.id("status-summary")).getText()).contains("DEGRADED", "9 of 10");
        shot("status-daemon-down");

        daemon.start(Stack.READY_TIMEOUT);
        int back = refreshes();
        waitFor(() -> "up".equals(row("truthd").getAttribute("data-state")));
        assertThat(refreshes() - back).as("refreshes until green again").isLessThanOrEqualTo(2);
    }

    @Test
    @Order(3)
    void metrics_chartEachDaemonsRatesFromItsPrometheusMetrics() throws Exception {
        tab("metrics");
        By gatewayCard = By.cssSelector("#charts .chart-card[data-daemon='gateway']");
        waitFor(() -> Integer.parseInt(browser.findElement(gatewayCard).getAttribute("data-points")) >= 6);
        WebElement card = browser.findElement(gatewayCard);
        assertThat(card.findElements(By.cssSelector(".uplot canvas"))).hasSize(3);
        assertThat(browser.findElements(By.cssSelector("#charts .chart-card"))).hasSize(11);
        // the console's own calls through the gateway are requests: its rate is above zero
        waitFor(() -> browser.findElement(gatewayCard).findElement(By.className("caption")).getText().matches("now [0-9.]+ req/s.*")
                && !browser.findElement(gatewayCard).findElement(By.className("caption")).getText().startsWith("now 0 req/s"));
        shot("metrics");
    }

    @Test
    @Order(4)
    void chat_streamsTokensAsTheyArrive_andShowsTheFallbackAttempts() throws Exception {
        tab("chat");
        waitFor(() -> new Select(browser.findElement(By.id("chat-provider"))).getOptions().size() >= 5);
        new Select(browser.findElement(By.id("chat-provider"))).selectByValue("openrouter");   // no key here: skipped
        browser.findElement(By.id("chat-model")).clear();
        browser.findElement(By.id("chat-model")).sendKeys("meta-llama/llama-3.1-8b-instruct");
        browser.findElement(By.id("chat-fallback")).sendKeys("ollama/qwen2.5:7b");
        SCRIPT.add("Forklift shift confirmed for Monday at six in the morning, see you there");
        WebElement input = browser.findElement(By.id("chat-input"));
        input.sendKeys("Confirm the Monday shift");
        input.sendKeys(Keys.CONTROL, Keys.ENTER);
        By reply = By.cssSelector("#chat-log li.assistant:last-child");
        Set<String> seen = new LinkedHashSet<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            WebElement r = browser.findElement(reply);
            String text = r.findElement(By.className("text")).getText();
            if ("true".equals(r.getAttribute("data-done"))) {
                break;
            }
            if (!text.isEmpty()) {
                seen.add(text);
            }
            Thread.sleep(40);
        }
        assertThat(seen).as("the reply as it grew").hasSizeGreaterThanOrEqualTo(3);
        List<String> growth = new ArrayList<>(seen);
        for (int i = 1; i < growth.size(); i++) {
            assertThat(growth.get(i)).startsWith(growth.get(i - 1));
        }
        WebElement done = browser.findElement(reply);
        assertThat(done.findElement(By.className("text")).getText()).isEqualTo("Forklift shift confirmed for Monday at six in the morning, see you there");
        assertThat(done.findElement(By.className("meta")).getText()).contains("ollama/qwen2.5:7b", "stop", "tokens");
        String attempts = browser.findElement(By.id("chat-attempts")).getText();
        assertThat(attempts).contains("openrouter", "skipped", "ollama/qwen2.5:7b: ok");
        shot("chat");
    }

    @Test
    @Order(5)
    void chat_theStopButtonCancelsTheStream() throws Exception {
        tab("chat");
        new Select(browser.findElement(By.id("chat-provider"))).selectByValue("ollama");
        browser.findElement(By.id("chat-model")).clear();
        browser.findElement(By.id("chat-model")).sendKeys("qwen2.5:7b");
        browser.findElement(By.id("chat-fallback")).clear();
        SCRIPT.add(LONG_ANSWER);
        int abortedBefore = ollama.aborted();
        browser.findElement(By.id("chat-input")).sendKeys("Count to twenty-five");
        browser.findElement(By.id("chat-send")).click();
        By reply = By.cssSelector("#chat-log li.assistant:last-child");
        waitFor(() -> browser.findElement(reply).findElement(By.className("text")).getText().split(" ").length >= 3);
        browser.findElement(By.id("chat-stop")).click();
        waitFor(() -> "true".equals(browser.findElement(reply).getAttribute("data-done")));
        String stoppedAt = browser.findElement(reply).findElement(By.className("text")).getText();
        assertThat(browser.findElement(reply).findElement(By.className("meta")).getText()).contains("stopped");
        Thread.sleep(600);   // four more words' time: nothing more arrives
        assertThat(browser.findElement(reply).findElement(By.className("text")).getText()).isEqualTo(stoppedAt);
        assertThat(stoppedAt.length()).isLessThan(LONG_ANSWER.length());
        // the stop reached the provider: the gateway dropped chatd's stream, chatd dropped the provider's
        int before = abortedBefore;
        waitFor(() -> ollama.aborted() > before);
        assertThat(browser.findElement(By.id("chat-send")).isEnabled()).isTrue();
    }

    @Test
    @Order(6)
    void validate_listsTheViolations_andMarksTheOffendingText() throws Exception {
        tab("validate");
        new Select(browser.findElement(By.id("val-kind"))).selectByValue("email");
        WebElement body = browser.findElement(By.cssSelector("#val-email [data-k='body']"));
        body.clear();
        body.sendKeys("Hi Zebulon, your rate is $21/hr. Call W999999 if you need anything. SSN 219-09-9999 on file.");
        browser.findElement(By.id("val-send")).click();
        waitFor(() -> "false".equals(browser.findElement(By.id("val-result")).getAttribute("data-valid")));
        List<String> rules = browser.findElements(By.cssSelector("#val-result .violations li")).stream()
                .map(li -> li.getAttribute("data-rule")).toList();
        assertThat(rules).contains("pay_disclosure", "unknown_worker_id", "ssn", "greeting_name_mismatch");
        List<String> marks = browser.findElements(By.cssSelector("#val-highlight [data-field='body'] mark")).stream()
                .map(WebElement::getText).toList();
        assertThat(marks).contains("$21", "W999999", "219-09-9999");
        assertThat(marks.stream().anyMatch(m -> m.contains("Zebulon"))).isTrue();
        assertThat(browser.findElement(By.id("val-result")).getText()).contains("pay_disclosure", "body", "discloses");
        shot("validate-email");

        // the fill form, its phantom worker marked
        new Select(browser.findElement(By.id("val-kind"))).selectByValue("fill");
        browser.findElement(By.id("val-send")).click();
        waitFor(() -> browser.findElements(By.cssSelector("#val-highlight [data-field='worker_ids'] mark")).stream()
                .anyMatch(m -> m.getText().equals("W999999")));
        assertThat(browser.findElements(By.cssSelector("#val-result .violations li[data-rule='phantom_worker']"))).isNotEmpty();
        shot("validate-fill");

        // JSON that does not parse: the API's problem is shown as it is
        expectedNetworkErrors.add("v1/validate - Failed to load resource: the server responded with a status of 400");
        WebElement json = browser.findElement(By.id("val-json"));
        json.clear();
        json.sendKeys("{\"kind\":\"fill\",");
        browser.findElement(By.id("val-send")).click();
        WebElement problem = visible(By.cssSelector("#panel-validate > fieldset > .two .problem"));
        assertThat(problem.getText()).contains("400", "invalid_json");
    }

    @Test
    @Order(7)
    void iterate_showsEachAttemptWithItsViolations() throws Exception {
        tab("validate");
        new Select(browser.findElement(By.id("val-kind"))).selectByValue("fill");
        browser.findElement(By.cssSelector("#iterate summary")).click();
        String order = "{\"order\":{\"order_id\":\"O-7\",\"role\":\"" + worker.path("role").asText() + "\",\"lat\":" + worker.path("lat").asDouble()
                + ",\"lon\":" + worker.path("lon").asDouble() + ",\"radius_miles\":10,\"headcount\":1}}";
        WebElement context = browser.findElement(By.id("it-context"));
        context.clear();
        ((JavascriptExecutor) browser).executeScript("arguments[0].value = arguments[1]", context, order);
        SCRIPT.add("{\"worker_ids\":[\"W000010\",\"W999999\"]}");
        SCRIPT.add("{\"worker_ids\":[\"W000010\"]}");
        browser.findElement(By.id("it-send")).click();
        waitFor(() -> browser.findElements(By.cssSelector("#it-attempts li[data-n]")).size() == 2);
        List<WebElement> attempts = browser.findElements(By.cssSelector("#it-attempts li[data-n]"));
        assertThat(attempts.get(0).getText()).contains("attempt 1", "phantom_worker", "W999999");
        assertThat(attempts.get(1).getText()).contains("attempt 2", "valid");
        assertThat(browser.findElement(By.id("it-attempts")).getText()).contains("valid at the end", "ollama/qwen2.5:7b");
        shot("validate-iterate");
    }

    @Test
    @Order(8)
    void retrieve_showsHitsWithTheirAttribution() throws Exception {
        tab("retrieve");
        waitFor(() -> !browser.findElements(By.cssSelector("#ret-corpora input[value='jobs']")).isEmpty());
        browser.findElement(By.id("ret-send")).click();
        waitFor(() -> !browser.findElements(By.cssSelector("#ret-hits tbody tr")).isEmpty());
        List<WebElement> hits = browser.findElements(By.cssSelector("#ret-hits tbody tr"));
        assertThat(hits.get(0).getText()).contains("jobs").containsAnyOf("job-1", "job-3");
        assertThat(browser.findElement(By.id("ret-meta")).getText()).contains("fusion rrf", "forklift operator");
        shot("retrieve");
    }

    @Test
    @Order(9)
    void memory_showsAMemorysHistory_andReadsItAsOfAnEarlierTime() throws Exception {
        tab("memory");
        browser.findElement(By.id("mem-query")).clear();
        browser.findElement(By.id("mem-query")).sendKeys("shifts", Keys.ENTER);
        waitFor(() -> !browser.findElements(By.cssSelector("#mem-hits li button")).isEmpty());
        browser.findElement(By.cssSelector("#mem-hits li button")).click();
        waitFor(() -> browser.findElements(By.cssSelector("#mem-history li")).size() == 2
                && "2".equals(browser.findElement(By.id("mem-current")).getAttribute("data-version")));
        assertThat(browser.findElement(By.id("mem-current")).getText()).contains("day shifts");
        WebElement slider = browser.findElement(By.id("mem-asof"));
        slider.sendKeys(Keys.HOME);   // the keyboard moves the slider to the first version's time
        waitFor(() -> "1".equals(browser.findElement(By.id("mem-current")).getAttribute("data-version")));
        assertThat(browser.findElement(By.id("mem-current")).getText()).contains("Ana prefers night shifts");
        assertThat(browser.findElement(By.id("mem-asof-label")).getText()).matches("\\d{4}-\\d{2}-\\d{2}T.*");
        shot("memory");
    }

    @Test
    @Order(10)
    void journal_listsEntries_andVerifiesTheChain() throws Exception {
        tab("journal");
        waitFor(() -> browser.findElements(By.cssSelector("#jr-entries tbody tr[data-seq]")).size() >= 3);
        browser.findElement(By.id("jr-type")).sendKeys("cutover.rollback");
        browser.findElement(By.cssSelector("#jr-form button[type='submit']")).click();
        waitFor(() -> browser.findElements(By.cssSelector("#jr-entries tbody tr[data-seq]")).size() == 1);
        browser.findElement(By.id("jr-verify")).click();
        waitFor(() -> "true".equals(browser.findElement(By.id("jr-verified")).getAttribute("data-ok")));
        assertThat(browser.findElement(By.id("jr-verified")).getText()).contains("chain verified");
        browser.findElement(By.id("jr-type")).clear();
        browser.findElement(By.cssSelector("#jr-form button[type='submit']")).click();
        waitFor(() -> browser.findElements(By.cssSelector("#jr-entries tbody tr[data-seq]")).size() >= 3);
        shot("journal");
    }

    @Test
    @Order(11)
    void distillation_aRunShowsItsProgressAndSummary_andAnAuditItsReport() throws Exception {
        tab("distill");
        browser.findElement(By.id("ds-full")).click();
        browser.findElement(By.cssSelector("#ds-form button[type='submit']")).click();
        waitFor(() -> browser.findElements(By.cssSelector("#ds-runs li[data-state='done']")).size() == 1);
        WebElement run = browser.findElement(By.cssSelector("#ds-runs li[data-state='done']"));
        assertThat(run.findElements(By.cssSelector(".progress-row[data-stage='materialize'] progress"))).hasSize(1);
        assertThat(run.getText()).contains("summary");
        browser.findElement(By.id("au-sample")).clear();
        browser.findElement(By.id("au-sample")).sendKeys("0");
        browser.findElement(By.cssSelector("#au-form button[type='submit']")).click();
        waitFor(() -> List.of("done", "failed").contains(String.valueOf(browser.findElement(By.id("au-report")).getAttribute("data-state"))));
        assertThat(browser.findElement(By.id("au-report")).getText()).contains("inventory", "schema");
        shot("distill");
    }

    @Test
    @Order(11)
    void spend_showsTheBudgetsTheLedgerAndADailyChart_ofTheChatsAbove() throws Exception {
        tab("spend");
        waitFor(() -> !browser.findElements(By.cssSelector("#spend-budgets tr[data-budget='ops/day']")).isEmpty()
                && "1".equals(browser.findElement(By.id("spend-charts")).getAttribute("data-days")));
        assertThat(browser.findElement(By.id("spend-total")).getText()).matches("[1-9][0-9]* calls · [0-9,]+ tokens · \\$0\\.00");
        assertThat(browser.findElement(By.cssSelector("#spend-budgets tr[data-budget='ops/month']")).getText()).contains("$20.00");
        assertThat(browser.findElement(By.cssSelector("#spend-groups tr[data-group='ollama/qwen2.5:7b']")).getText())
                .as("the chats of the chat panel, ollama priced at 0").contains("$0.00");
        assertThat(browser.findElements(By.cssSelector("#spend-charts .uplot canvas"))).hasSize(2);
        new Select(browser.findElement(By.id("spend-group"))).selectByValue("route");
        waitFor(() -> !browser.findElements(By.cssSelector("#spend-groups tr[data-group='/v1/chat']")).isEmpty());
        shot("spend");
    }

    @Test
    @Order(12)
    void aKeyWithoutAScope_seesThatPanelGreyedOutWithTheReason() throws Exception {
        browser.findElement(By.id("signout")).click();
        WebElement key = visible(By.id("signin-key"));
        key.sendKeys(VIEWER_KEY, Keys.ENTER);
        waitFor(() -> browser.findElement(By.id("who")).getText().contains("signed in as viewer"));
        tab("chat");
        assertThat(browser.findElement(By.cssSelector("#panel-chat fieldset.guarded")).getDomProperty("disabled")).isEqualTo("true");
        assertThat(browser.findElement(By.id("chat-send")).isEnabled()).isFalse();
        assertThat(browser.findElement(By.cssSelector("#panel-chat .denied")).getText())
                .contains("may not use scope 'chat'", "its scopes: status");
        assertThat(browser.findElement(By.id("tab-chat")).getAttribute("class")).contains("no-scope");
        shot("scope-denied");
        tab("status");
        waitFor(() -> "up".equals(row("chatd").getAttribute("data-state")));
    }

    @Test
    @Order(13)
    void aPhoneSizedViewport_keepsEveryPanelInsideTheScreen() throws Exception {
        // a phone's viewport (a window cannot be made that narrow): the page laid out at 390×844, touch and all
        ((ChromeDriver) browser).executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", 390, "height", 844, "deviceScaleFactor", 1, "mobile", true));
        try {
            browser.findElement(By.id("signout")).click();
            visible(By.id("signin-key")).sendKeys(OPS_KEY, Keys.ENTER);
            waitFor(() -> browser.findElement(By.id("who")).getText().contains("signed in as ops"));
            for (String panel : List.of("status", "metrics", "chat", "validate", "retrieve", "memory", "journal", "distill")) {
                tab(panel);
                Thread.sleep(300);
                Number overflow = (Number) ((JavascriptExecutor) browser).executeScript(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
                assertThat(overflow.intValue()).as(panel + ": page wider than the screen by").isLessThanOrEqualTo(0);
                if (panel.equals("status") || panel.equals("chat") || panel.equals("validate")) {
                    shot("phone-" + panel);
                }
            }
            // the tabs are keyboard-driven too: arrows move between them
            browser.findElement(By.id("tab-distill")).sendKeys(Keys.HOME);
            waitFor(() -> "true".equals(browser.findElement(By.id("tab-status")).getAttribute("aria-selected")));
            browser.findElement(By.id("tab-status")).sendKeys(Keys.ARROW_RIGHT);
            waitFor(() -> "true".equals(browser.findElement(By.id("tab-metrics")).getAttribute("aria-selected")));
        } finally {
            ((ChromeDriver) browser).executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    // ---------- helpers ----------

    static void tab(String name) {
        browser.findElement(By.id("tab-" + name)).click();
        waitFor(() -> browser.findElement(By.id("panel-" + name)).isDisplayed());
    }

    static WebElement row(String daemon) {
        return browser.findElement(By.cssSelector("#board tbody tr[data-daemon='" + daemon + "']"));
    }

    static int refreshes() {
        String r = browser.findElement(By.id("panel-status")).getAttribute("data-refreshes");
        return r == null ? 0 : Integer.parseInt(r);
    }

    static String storedKey() {
        return (String) ((JavascriptExecutor) browser).executeScript("return sessionStorage.getItem('lakehouse.key')");
    }

    static WebElement visible(By by) {
        waitFor(() -> !browser.findElements(by).isEmpty() && browser.findElement(by).isDisplayed());
        return browser.findElement(by);
    }

    static void waitFor(java.util.function.BooleanSupplier condition) {
        new WebDriverWait(browser, WAIT, Duration.ofMillis(50)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .ignoring(org.openqa.selenium.NoSuchElementException.class).ignoring(NumberFormatException.class)
                .until((Function<WebDriver, Boolean>) d -> condition.getAsBoolean());
    }

    static void shot(String name) throws Exception {
        Files.write(SHOTS.resolve(name + ".png"), ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    static HttpResponse<String> call(String method, String path, String json) throws Exception {
        return call(gw, method, path, json);
    }

    static HttpResponse<String> call(URI base, String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + OPS_KEY)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
