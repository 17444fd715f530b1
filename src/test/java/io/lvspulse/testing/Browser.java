package io.lvspulse.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's headless Chromium driven by Debian's chromedriver (packages {@code chromium} and {@code
 * chromium-driver}; nothing is downloaded: Selenium gets both paths, so its driver manager never
 * runs). Flags for a root user on an isolated test machine, a fresh profile per browser; always
 * {@link #close() closed} by the test, which deletes the profile.
 */
public final class Browser implements AutoCloseable {
  /** Chromium's flags (without the background ones its connections are refused here). */
  static final List<String> FLAGS =
      List.of(
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--disable-dev-shm-usage",
          "--window-size=1400,1000");

  private final ChromeDriver driver;
  private final Path profile;

  private Browser(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /** Starts a browser, or skips the test (fails under CI) without chromium and chromedriver. */
  public static Browser start() throws IOException {
    Path chromium =
        Peers.requireExecutable(
            "chromium (Debian package chromium)", "LVS_PULSE_CHROMIUM", "/usr/bin/chromium");
    Path driverBin =
        Peers.requireExecutable(
            "chromedriver (Debian package chromium-driver)",
            "LVS_PULSE_CHROMEDRIVER",
            "/usr/bin/chromedriver");
    Path profile = Files.createTempDirectory("lvs-pulse-ops-web-chromium-");
    ChromeOptions o = new ChromeOptions();
    o.setBinary(chromium.toFile());
    o.addArguments(FLAGS);
    o.addArguments("--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    o.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(driverBin.toFile())
            .usingAnyFreePort()
            .build();
    ChromeDriver d;
    try {
      d = new ChromeDriver(service, o);
    } catch (RuntimeException e) {
      deleteTree(profile);
      throw e;
    }
    d.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    d.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    return new Browser(d, profile);
  }

  public ChromeDriver driver() {
    return driver;
  }

  /** Runs {@code script} in the page and returns its value. */
  public Object js(String script, Object... args) {
    return driver.executeScript(script, args);
  }

  /** A number the page's script computed. */
  public double number(String script) {
    Object v = js(script);
    return v instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  /** Saves a screenshot as {@code file} (PNG). */
  public Path screenshot(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
    Files.write(file, png);
    return file;
  }

  /** The browser console's messages so far (errors, CSP violations, failed loads). */
  public List<String> console() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .map(LogEntry::toString)
        .toList();
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      deleteTree(profile);
    }
  }

  private static void deleteTree(Path p) {
    try (var s = Files.walk(p)) {
      s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
