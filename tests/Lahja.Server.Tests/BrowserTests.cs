using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Lahja.Server.Tests;

/// <summary>
/// The web page in headless Chromium: Debian's <c>chromium</c> package driven by Playwright (no browser download; CI
/// installs the package). Skips with a message where that browser is absent. Screenshots go to
/// <c>browser-test/</c> in the test output folder.
/// </summary>
public sealed class BrowserTests
{
    /// <summary>The browser: $LAHJA_CHROMIUM, else Debian's.</summary>
    private static string ChromiumPath => Environment.GetEnvironmentVariable("LAHJA_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static string OutputDirectory => Path.Combine(AppContext.BaseDirectory, "browser-test");

    [Fact]
    public async Task Identify_threshold_map_batch_and_downloads_in_the_page()
    {
        if (!File.Exists(ChromiumPath))
            Assert.Skip($"No Chromium at {ChromiumPath}: install Debian's 'chromium' package (.ci/run does) or set LAHJA_CHROMIUM.");
        Directory.CreateDirectory(OutputDirectory);
        await using var server = await RunningServer.StartAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath, Headless = true,
            // Root in a container has no user namespaces for Chromium's sandbox.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { AcceptDownloads = true, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        var consoleErrors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") consoleErrors.Add(message.Text); };
        page.PageError += (_, error) => consoleErrors.Add(error);

        var outside = await RefuseOutsideRequests(page, server.Address);
        await page.GotoAsync(server.Address.ToString());
        await page.Locator("body[data-ready=true]").WaitForAsync();
        Assert.Equal("rtl", await page.Locator("html").GetAttributeAsync("dir"));
        Assert.Equal("ar", await page.Locator("html").GetAttributeAsync("lang"));
        Assert.Equal(18, await page.Locator("#map path.country").CountAsync());

        // Type a sentence and submit from the keyboard.
        const string sentence = "شلونك حبيبي شكو ماكو اليوم";
        await page.Locator("#text-input").FillAsync(sentence);
        await page.Locator("#text-input").PressAsync("Control+Enter");
        await page.Locator("#bars .bar-row").Nth(17).WaitForAsync();

        var expected = (await (await server.Client.PostAsJsonAsync("/v1/identify", new { text = sentence }, Token)).Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("results")[0];
        var probabilities = expected.GetProperty("probabilities").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetSingle());
        Assert.Equal(18, await page.Locator("#bars .bar-row").CountAsync());
        foreach (var row in await page.Locator("#bars .bar-row").AllAsync())
        {
            var label = (await row.GetAttributeAsync("data-dialect"))!;
            Assert.Equal(probabilities[label], float.Parse((await row.GetAttributeAsync("data-probability"))!, CultureInfo.InvariantCulture), 1e-6);
        }
        Assert.Equal(expected.GetProperty("dialects").EnumerateArray().Select(d => d.GetProperty("dialect").GetString()), await Chips(page));

        // The map: every country coloured by its own probability.
        foreach (var country in await page.Locator("#map path.country").AllAsync())
        {
            var label = (await country.GetAttributeAsync("data-dialect"))!;
            Assert.Equal(probabilities[label], float.Parse((await country.GetAttributeAsync("data-probability"))!, CultureInfo.InvariantCulture), 1e-6);
            Assert.Equal(MapColour(probabilities[label]), await country.GetAttributeAsync("fill"));
        }
        // Every country is named on the map, in the page's language, and nothing (Morocco on the west, Oman on the
        // east) touches the frame.
        var arabicNames = (await server.Client.GetFromJsonAsync<JsonElement>("/v1/dialects", Token)).EnumerateArray().ToDictionary(d => d.GetProperty("label").GetString()!, d => d.GetProperty("arabic").GetString()!);
        var labels = await MapLabels(page);
        Assert.Equal(18, labels.Count);
        Assert.All(labels, l => Assert.Equal(arabicNames[l.Key], l.Value));
        var margins = await page.EvaluateAsync<double[][]>("""
            () => {
              const svg = document.getElementById("map");
              const view = svg.viewBox.baseVal;
              return [...svg.querySelectorAll("path.country, text.country-label")].map((e) => {
                const box = e.getBBox();
                return [box.x - view.x, box.y - view.y, view.x + view.width - box.x - box.width, view.y + view.height - box.y - box.height].map((m) => m / view.width);
              });
            }
            """);
        Assert.Equal(36, margins.Length);
        Assert.All(margins, m => Assert.True(m.Min() >= 0.02, $"{m.Min():P1} of the map's width from its frame"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(OutputDirectory, "web-page.png"), FullPage = true });

        // The slider re-decides in the page: all at 0, none at 1, and at a cut between the 3rd and 4th most probable, three.
        var sorted = probabilities.Values.OrderDescending().ToArray();
        await page.Locator("#threshold").FillAsync("0");
        Assert.Equal(18, (await Chips(page)).Length);
        await page.Locator("#threshold").FillAsync("1");
        Assert.Empty(await Chips(page));
        Assert.True(await page.Locator("#no-chips").IsVisibleAsync());
        var cut = Math.Ceiling(sorted[3] * 100 + 1e-6) / 100;
        if (cut <= sorted[2])
        {
            await page.Locator("#threshold").FillAsync(cut.ToString("0.00", CultureInfo.InvariantCulture));
            Assert.Equal(cut.ToString("0.00", CultureInfo.InvariantCulture), await page.Locator("#threshold-value").TextContentAsync());
            var chips = await Chips(page);
            Assert.Equal(probabilities.Where(p => p.Value >= cut).OrderByDescending(p => p.Value).Select(p => p.Key), chips);
            Assert.Equal(chips.Length, await page.Locator("#map path.country.above").CountAsync());
            Assert.Equal(chips.Length, await page.Locator("#bars .bar-row.above").CountAsync());
            Assert.Equal($"{cut * 100:0.##}%", await page.Locator("#bars .bar-threshold").First.EvaluateAsync<string>("e => e.style.insetInlineStart"));
        }

        // English toggle: left to right, names in English, on the map too, and the status line follows.
        Assert.Matches(ArabicLetter, await page.Locator("#status").TextContentAsync());
        await page.Locator("#lang-toggle").ClickAsync();
        Assert.Equal("ltr", await page.Locator("html").GetAttributeAsync("dir"));
        Assert.Equal("Iraq", await page.Locator("#bars .bar-row[data-dialect=Iraq] .bar-label").TextContentAsync());
        Assert.Equal("Morocco", (await MapLabels(page))["Morocco"]);
        var status = await page.Locator("#status").TextContentAsync();
        Assert.False(string.IsNullOrWhiteSpace(status));
        Assert.DoesNotMatch(ArabicLetter, status);
        Assert.DoesNotMatch(ArabicLetter, await page.Locator("#threshold-rule").TextContentAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(OutputDirectory, "web-page-english.png"), FullPage = true });
        await page.Locator("#lang-toggle").ClickAsync();
        Assert.Equal("العراق", await page.Locator("#bars .bar-row[data-dialect=Iraq] .bar-label").TextContentAsync());

        // Batch: a TSV with a header and a quoted field, results in a table, then both downloads.
        await page.Locator("#threshold").FillAsync("0.5");
        string[] texts = ["إزيك يا باشا", "كيفك، شو عم تعمل؟", "واش راك خويا", "شحالك \"يا\" ربيع", "ايش تشتي"];
        var tsv = "id\ttext\n" + string.Join("\n", texts.Select((t, i) => $"{i}\t{(t.Contains('"') ? "\"" + t.Replace("\"", "\"\"") + "\"" : t)}")) + "\n";
        await page.Locator("#batch-file").SetInputFilesAsync(new FilePayload { Name = "texts.tsv", MimeType = "text/tab-separated-values", Buffer = Encoding.UTF8.GetBytes(tsv) });
        await page.Locator("#batch-table tbody tr").Nth(texts.Length - 1).WaitForAsync();
        Assert.Equal(texts.Length, await page.Locator("#batch-table tbody tr").CountAsync());
        Assert.Equal(texts, await page.Locator("#batch-table tbody td.text-cell").AllTextContentsAsync());

        var batchExpected = (await (await server.Client.PostAsJsonAsync("/v1/identify", new { texts }, Token)).Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("results");
        var csvDownload = await page.RunAndWaitForDownloadAsync(() => page.Locator("#download-csv").ClickAsync());
        Assert.Equal("lahja-results.csv", csvDownload.SuggestedFilename);
        var csvPath = Path.Combine(OutputDirectory, "lahja-results.csv");
        await csvDownload.SaveAsAsync(csvPath);
        var csv = ReadCsv(await File.ReadAllTextAsync(csvPath, Token));
        Assert.Equal(["text", "dialects", .. Dialects.Table.Select(d => d.Label)], csv[0]);
        Assert.Equal(texts.Length + 1, csv.Count);
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(texts[i], csv[i + 1][0]);
            var served = batchExpected[i].GetProperty("probabilities").EnumerateObject().Select(p => p.Value.GetSingle()).ToArray();
            for (var d = 0; d < 18; d++) Assert.Equal(served[d], float.Parse(csv[i + 1][2 + d], CultureInfo.InvariantCulture), 1e-6);
            Assert.Equal(string.Join(";", batchExpected[i].GetProperty("probabilities").EnumerateObject().Where(p => p.Value.GetSingle() >= 0.5f).OrderByDescending(p => p.Value.GetSingle()).Select(p => p.Name)), csv[i + 1][1]);
        }
        var jsonlDownload = await page.RunAndWaitForDownloadAsync(() => page.Locator("#download-jsonl").ClickAsync());
        var jsonlPath = Path.Combine(OutputDirectory, "lahja-results.jsonl");
        await jsonlDownload.SaveAsAsync(jsonlPath);
        var lines = await File.ReadAllLinesAsync(jsonlPath, Token);
        Assert.Equal(texts, lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()));
        Assert.All(lines, l => Assert.Equal(18, JsonDocument.Parse(l).RootElement.GetProperty("probabilities").EnumerateObject().Count()));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(OutputDirectory, "web-page-batch.png"), FullPage = true });

        // Accessibility: axe-core (bundled in the package) finds no serious or critical WCAG A/AA problem.
        var axe = await page.RunAxe(new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))})").ToArray();
        Assert.True(serious.Length == 0, string.Join("\n", serious));
        Assert.True(consoleErrors.Count == 0, string.Join("\n", consoleErrors));
        Assert.Empty(outside);
    }

    /// <summary>
    /// A model whose lahja.json decides by the relative rule only (threshold 0, as the bundled model): the page shows
    /// that rule, decides by it, lets either part change, and batch results follow what the page shows.
    /// </summary>
    [Fact]
    public async Task Page_shows_the_models_relative_rule_and_batches_follow_the_sliders()
    {
        if (!File.Exists(ChromiumPath))
            Assert.Skip($"No Chromium at {ChromiumPath}: install Debian's 'chromium' package (.ci/run does) or set LAHJA_CHROMIUM.");
        const string sentence = "شلونك حبيبي شكو ماكو اليوم";
        // A relative threshold (on the slider's 0.01 grid) that keeps some dialects and drops others for this sentence.
        float[] ratios;
        using (var offline = ServerFixture.Load(ServerFixture.Model))
        {
            var p = offline.Predict(sentence).Probabilities;
            ratios = [.. p.Select(x => x / p.Max()).OrderDescending()];
        }
        var k = Enumerable.Range(1, 16).First(i => Math.Ceiling(ratios[i] * 100 + 1e-4) / 100 < ratios[i - 1]);
        var relative = (float)(Math.Ceiling(ratios[k] * 100 + 1e-4) / 100);
        var model = Directory.CreateTempSubdirectory("lahja-relative-model-").FullName;
        try
        {
            foreach (var file in Directory.GetFiles(ServerFixture.Model)) File.Copy(file, Path.Combine(model, Path.GetFileName(file)));
            await File.WriteAllTextAsync(Path.Combine(model, "lahja.json"), JsonSerializer.Serialize(new { threshold = 0, relative_threshold = relative }), Token);
            await using var server = await RunningServer.StartAsync(o => o with { Model = model });
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { AcceptDownloads = true, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
            var page = await context.NewPageAsync();
            page.SetDefaultTimeout(15_000);
            var requests = new List<JsonElement>();
            page.Request += (_, request) =>
            {
                if (request.Url.EndsWith("/v1/identify") && request.PostData is { } body) lock (requests) requests.Add(JsonDocument.Parse(body).RootElement.Clone());
            };
            await page.GotoAsync(server.Address.ToString());
            await page.Locator("body[data-ready=true]").WaitForAsync();
            var shown = relative.ToString("0.00", CultureInfo.InvariantCulture);

            // The sliders start at the model's rule, and the words say both parts.
            Assert.Equal("0", await page.Locator("#threshold").InputValueAsync());
            Assert.Equal(relative, float.Parse(await page.Locator("#relative-threshold").InputValueAsync(), CultureInfo.InvariantCulture));
            Assert.Equal(shown, await page.Locator("#relative-threshold-value").TextContentAsync());
            var rule = await page.Locator("#threshold-rule").TextContentAsync();
            Assert.Contains(shown, rule);
            Assert.Contains("0.00", rule);

            // The page decides as the server does with the model's rule: the relative rule drops some dialects.
            await page.Locator("#text-input").FillAsync(sentence);
            await page.Locator("#identify-button").ClickAsync();
            await page.Locator("#bars .bar-row").Nth(17).WaitForAsync();
            var served = (await (await server.Client.PostAsJsonAsync("/v1/identify", new { text = sentence }, Token)).Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("results")[0];
            var byModel = served.GetProperty("dialects").EnumerateArray().Select(d => d.GetProperty("dialect").GetString()).ToArray();
            Assert.Equal(k, byModel.Length);
            Assert.Equal(byModel, await Chips(page));
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(OutputDirectory, "web-page-relative-rule.png"), FullPage = true });

            // Either part can change: relative 0 keeps every dialect over the absolute 0.
            await page.Locator("#relative-threshold").FillAsync("0");
            Assert.Equal(18, (await Chips(page)).Length);
            rule = await page.Locator("#threshold-rule").TextContentAsync();
            Assert.Contains("0.00 ×", rule);
            // …and the words then also give the model's rule, which is no longer the one in force.
            Assert.Contains(shown + " ×", rule);

            // A batch runs with what the sliders show, in the requests and in the results and downloads.
            await page.Locator("#threshold").FillAsync("0.1");
            await page.Locator("#relative-threshold").FillAsync("0.5");
            string[] texts = ["إزيك يا باشا", "كيفك، شو عم تعمل؟", "واش راك خويا"];
            await page.Locator("#batch-file").SetInputFilesAsync(new FilePayload { Name = "texts.txt", MimeType = "text/plain", Buffer = Encoding.UTF8.GetBytes(string.Join("\n", texts)) });
            await page.Locator("#batch-table tbody tr").Nth(texts.Length - 1).WaitForAsync();
            var batchRequest = requests.Last(r => r.TryGetProperty("texts", out _));
            Assert.Equal(0.1, batchRequest.GetProperty("threshold").GetDouble(), 1e-9);
            Assert.Equal(0.5, batchRequest.GetProperty("relative_threshold").GetDouble(), 1e-9);
            var results = (await (await server.Client.PostAsJsonAsync("/v1/identify", new { texts }, Token)).Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("results");
            var csvDownload = await page.RunAndWaitForDownloadAsync(() => page.Locator("#download-csv").ClickAsync());
            var csvPath = Path.Combine(OutputDirectory, "lahja-results-relative.csv");
            await csvDownload.SaveAsAsync(csvPath);
            var csv = ReadCsv(await File.ReadAllTextAsync(csvPath, Token));
            for (var i = 0; i < texts.Length; i++)
            {
                var probabilities = results[i].GetProperty("probabilities").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetSingle());
                var top = probabilities.Values.Max();
                var expected = probabilities.Where(p => p.Value >= 0.1f && p.Value >= 0.5f * top).OrderByDescending(p => p.Value).Select(p => p.Key).ToArray();
                Assert.Equal(string.Join(";", expected), csv[i + 1][1]);
            }

            // The model's rule comes back with one click.
            await page.Locator("#rule-reset").ClickAsync();
            Assert.Equal("0", await page.Locator("#threshold").InputValueAsync());
            Assert.Equal(shown, await page.Locator("#relative-threshold-value").TextContentAsync());
            Assert.Equal(byModel, await Chips(page));
        }
        finally
        {
            Directory.Delete(model, recursive: true);
        }
    }

    [Fact]
    public async Task Docs_page_renders_the_api_offline()
    {
        if (!File.Exists(ChromiumPath))
            Assert.Skip($"No Chromium at {ChromiumPath}: install Debian's 'chromium' package (.ci/run does) or set LAHJA_CHROMIUM.");
        await using var server = await RunningServer.StartAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        var outside = await RefuseOutsideRequests(page, server.Address);
        await page.GotoAsync(server.Address.ToString());
        var header = await page.Locator(".site-header").EvaluateAsync<string[]>("e => [getComputedStyle(e).backgroundColor, getComputedStyle(e.querySelector('a')).color]");
        await page.GotoAsync(new Uri(server.Address, "/docs/").ToString());
        await page.Locator(".swagger-ui .opblock-summary-path[data-path='/v1/identify']").WaitForAsync();
        Assert.True(await page.Locator(".swagger-ui .opblock").CountAsync() >= 6);
        // The link bar is styled as the web page's header: its background and link colours.
        var bar = page.Locator("nav.docs-links");
        Assert.Equal(header, await bar.EvaluateAsync<string[]>("e => [getComputedStyle(e).backgroundColor, getComputedStyle(e.querySelector('a')).color]"));
        Assert.Equal(["/", "/openapi/v1.json"], await bar.Locator("a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(OutputDirectory, "docs-page.png") });
        Assert.Empty(outside);
    }

    [Fact]
    public async Task Page_asks_for_the_api_key_and_works_once_given()
    {
        if (!File.Exists(ChromiumPath))
            Assert.Skip($"No Chromium at {ChromiumPath}: install Debian's 'chromium' package (.ci/run does) or set LAHJA_CHROMIUM.");
        await using var server = await RunningServer.StartAsync(o => o with { ApiKey = "page-key" });
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync(server.Address.ToString());
        await page.Locator("body[data-ready=true]").WaitForAsync();
        Assert.Contains("مفتاح", await page.Locator("#status").TextContentAsync());
        Assert.Equal(0, await page.Locator("#map path.country").CountAsync());

        await page.Locator("details.options summary").ClickAsync();
        await page.GetByLabel("مفتاح الواجهة البرمجية (إن طُلب)").FillAsync("page-key");
        await page.GetByLabel("مفتاح الواجهة البرمجية (إن طُلب)").PressAsync("Tab");
        // The map sits in the results section, hidden until the first answer: drawn, not yet shown.
        await page.Locator("#map path.country").Nth(17).WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        await page.Locator("#text-input").FillAsync("إزيك يا باشا");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "حدّد اللهجة" }).ClickAsync();
        await page.Locator("#bars .bar-row").Nth(17).WaitForAsync();
        Assert.Equal(18, await page.Locator("#map path.country[data-probability]").CountAsync());
    }

    private static readonly System.Text.RegularExpressions.Regex ArabicLetter = new("[\u0600-\u06FF]");

    /// <summary>The map's country names by dialect label.</summary>
    private static async Task<Dictionary<string, string>> MapLabels(IPage page) =>
        (await page.Locator("#map text.country-label").EvaluateAllAsync<string[][]>("labels => labels.map(l => [l.dataset.labelFor, l.textContent])"))
        .ToDictionary(l => l[0], l => l[1]);

    /// <summary>Any request leaving the loopback server would mean a CDN or a phone-home: refused and recorded.</summary>
    private static async Task<List<string>> RefuseOutsideRequests(IPage page, Uri server)
    {
        var outside = new List<string>();
        await page.RouteAsync("**/*", async route =>
        {
            if (new Uri(route.Request.Url) is { Scheme: "http" or "https" } uri && uri.Authority != server.Authority)
            {
                lock (outside) outside.Add(route.Request.Url);
                await route.AbortAsync();
            }
            else await route.ContinueAsync();
        });
        return outside;
    }

    private static async Task<string[]> Chips(IPage page) =>
        [.. (await page.Locator("#chips .chip").EvaluateAllAsync<string[]>("chips => chips.map(c => c.dataset.dialect)"))];

    /// <summary>The page's colour scale (app.js: colour), for checking the map's fills.</summary>
    private static string MapColour(double p)
    {
        int[][] stops = [[247, 251, 255], [107, 174, 214], [8, 48, 107]];
        var x = Math.Clamp(p, 0, 1) * (stops.Length - 1);
        var i = Math.Min(stops.Length - 2, (int)Math.Floor(x));
        var f = x - i;
        var c = Enumerable.Range(0, 3).Select(k => (int)Math.Round(stops[i][k] + (stops[i + 1][k] - stops[i][k]) * f, MidpointRounding.AwayFromZero)).ToArray();
        return $"rgb({c[0]}, {c[1]}, {c[2]})";
    }

    /// <summary>RFC 4180 rows (quoted fields may hold commas, quotes and newlines); a leading byte-order mark is dropped.</summary>
    private static List<string[]> ReadCsv(string text)
    {
        text = text.TrimStart('\uFEFF');
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"' && field.Length == 0) quoted = true;
            else if (c == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (c is '\r' or '\n')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                row.Add(field.ToString());
                field.Clear();
                rows.Add([.. row]);
                row.Clear();
            }
            else field.Append(c);
        }
        if (field.Length > 0 || row.Count > 0) { row.Add(field.ToString()); rows.Add([.. row]); }
        return rows;
    }
}
