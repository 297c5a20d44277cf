/// The report's look: inline, so the page is one file that opens anywhere without a network.
/// The filters are CSS alone (`:target` on empty anchors before the table), so they work with
/// scripts disabled and a filtered view is a bookmarkable address (`report.html#needs-attention`).
enum ReportStyle {
    /// The filters: the anchor id and the row class it keeps.
    static let filters: [(id: String, keeps: String)] = [
        ("needs-attention", "attention"), ("compliant", "s-compliant"), ("fixed", "s-fixed"), ("partial", "s-partial"), ("unfixable", "s-unfixable"),
        ("failed", "s-failed"), ("not-media", "s-not_media"), ("pending", "s-pending"),
    ]

    static var css: String {
        let hide = filters.map { "#\($0.id):target~table tbody tr:not(.\($0.keeps))" }.joined(separator: ",\n")
        let active = filters.map { "#\($0.id):target~nav a[href=\"#\($0.id)\"]" }.joined(separator: ",\n")
        return base + "\n" + hide + "{display:none}\n" + active + "{outline:2px solid #1f2328;outline-offset:-2px;background:#fff}\n"
            + ".anchor:target~nav a[href=\"#all\"]{outline:none;background:transparent}\n"
    }

    private static let base = """
    :root{--ink:#1f2328;--muted:#656d76;--line:#d8dee4;--paper:#fff;--ground:#f6f8fa;
      --ok:#1a7f37;--ok-bg:#dafbe1;--fix:#0969da;--fix-bg:#ddf4ff;--warn:#9a6700;--warn-bg:#fff8c5;
      --bad:#cf222e;--bad-bg:#ffebe9;--grey:#57606a;--grey-bg:#eaeef2}
    *{box-sizing:border-box}
    html{background:var(--ground)}
    body{margin:0 auto;max-width:1500px;padding:28px 32px 48px;color:var(--ink);
      font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif}
    .anchor{position:absolute;top:0;left:0;width:0;height:0;overflow:hidden}
    header{display:flex;flex-wrap:wrap;align-items:flex-end;justify-content:space-between;gap:12px 32px;margin-bottom:18px}
    h1{font-size:24px;margin:0;font-weight:650;letter-spacing:-.01em}
    h1 small{font-size:14px;font-weight:400;color:var(--muted);margin-left:10px}
    dl.run{display:grid;grid-template-columns:auto 1fr;gap:2px 12px;margin:0;font-size:13px;color:var(--muted)}
    dl.run dt{text-align:right}
    dl.run dd{margin:0;color:var(--ink);font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,monospace;font-size:12.5px;word-break:break-all}
    .model-chip{display:inline-block;background:var(--grey-bg);border-radius:999px;padding:0 9px;margin:0 4px 2px 0;font-family:inherit}
    nav{display:flex;flex-wrap:wrap;gap:10px;margin:0 0 16px}
    nav a,nav span{display:flex;flex-direction:column;min-width:118px;padding:10px 14px;border:1px solid var(--line);border-radius:10px;
      background:var(--paper);color:var(--ink);text-decoration:none}
    nav a:hover{border-color:var(--muted)}
    nav a[href="#all"]{outline:2px solid var(--ink);outline-offset:-2px}
    nav b{font-size:24px;line-height:1.1;font-variant-numeric:tabular-nums}
    nav em{font-style:normal;font-size:12.5px;color:var(--muted)}
    nav .attention{border-color:#e3b341;background:var(--warn-bg)}
    nav .calm{color:var(--ok)}
    nav .k-compliant b{color:var(--ok)} nav .k-fixed b{color:var(--fix)} nav .k-unfixable b{color:var(--warn)}
    nav .k-failed b{color:var(--bad)} nav .k-not_media b,nav .k-pending b{color:var(--grey)}
    p.hint{margin:-6px 0 14px;font-size:12.5px;color:var(--muted)}
    table{width:100%;table-layout:fixed;border-collapse:separate;border-spacing:0;background:var(--paper);border:1px solid var(--line);border-radius:10px}
    th:first-child{border-top-left-radius:10px} th:last-child{border-top-right-radius:10px}
    tbody tr:last-child td:first-child{border-bottom-left-radius:10px} tbody tr:last-child td:last-child{border-bottom-right-radius:10px}
    th{position:sticky;top:0;background:#f0f3f6;text-align:left;font-size:12px;font-weight:600;color:var(--muted);text-transform:uppercase;
      letter-spacing:.04em;padding:9px 12px;border-bottom:1px solid var(--line);z-index:1}
    td{vertical-align:top;padding:12px;border-bottom:1px solid var(--line)}
    th.c-pics{width:436px} th.c-file{width:46%}
    tbody tr:last-child td{border-bottom:none}
    tbody tr:nth-child(even){background:#fbfcfd}
    tr.attention td:first-child{box-shadow:inset 4px 0 0 #e3b341}
    tr.s-failed td:first-child{box-shadow:inset 4px 0 0 var(--bad)}
    .pair{display:flex;align-items:center;gap:8px;white-space:nowrap}
    .pair.back{margin-top:8px;padding-left:calc(192px + 8px)}
    .arrow{color:var(--muted);font-size:18px}
    figure{margin:0;display:flex;flex-direction:column;align-items:center;gap:3px}
    .frame{width:192px;height:108px;display:flex;align-items:center;justify-content:center;background:#111;border-radius:6px;overflow:hidden}
    .frame img{display:block;max-width:192px;max-height:108px}
    .frame.ph{background:repeating-linear-gradient(135deg,#eef1f4 0 8px,#f6f8fa 8px 16px);color:var(--muted);font-size:12.5px;
      border:1px dashed #c4ccd4;text-align:center;padding:0 10px;white-space:normal}
    .frame.same{background:var(--ok-bg);border:1px solid #aceebb;color:var(--ok);font-size:12.5px;flex-direction:column}
    .frame.same b{font-size:20px;line-height:1}
    figcaption{font-size:11.5px;color:var(--muted)}
    .path{font-weight:600;word-break:break-word}
    .path .badge{margin-right:8px;vertical-align:1px}
    .path .dir{font-weight:400;color:var(--muted)}
    .facts{margin-top:4px;font-size:12.5px;color:var(--muted)}
    .facts span{white-space:nowrap}
    .facts span+span:before{content:"·";margin:0 6px;color:#afb8c1}
    .output{margin-top:6px;font-size:12.5px;color:var(--muted);word-break:break-word}
    .health{margin-top:4px;font-size:12.5px;word-break:break-word} .h-healthy{color:var(--ok)} .h-damaged{color:var(--bad)}
    .health ul{margin:2px 0 0 14px;list-style:disc}
    .output code,.facts code{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,monospace;font-size:12px;color:var(--ink)}
    .badge{display:inline-block;padding:2px 10px;border-radius:999px;font-size:12.5px;font-weight:600;white-space:nowrap}
    .b-compliant{background:var(--ok-bg);color:var(--ok)} .b-fixed{background:var(--fix-bg);color:var(--fix)}
    .b-unfixable,.b-partial{background:var(--warn-bg);color:var(--warn)} .b-failed{background:var(--bad-bg);color:var(--bad)}
    .b-not_media,.b-pending{background:var(--grey-bg);color:var(--grey)}
    ul{margin:0;padding:0;list-style:none}
    .verdicts>li{margin-bottom:6px}
    .verdicts>li:last-child{margin-bottom:0}
    .mark{display:inline-block;width:18px;height:18px;border-radius:50%;text-align:center;font-size:12px;line-height:18px;font-weight:700;margin-right:6px;vertical-align:1px}
    .pass .mark{background:var(--ok-bg);color:var(--ok)} .fail .mark{background:var(--bad-bg);color:var(--bad)}
    .model{font-weight:600}
    .now{display:block;margin-left:24px;font-size:12px;color:var(--ok)}
    .violations{margin:3px 0 0 24px;font-size:12.5px;color:#3d444d}
    .violations li:before,.steps li:before{content:"–";color:#afb8c1;margin:0 6px 0 -12px}
    .violations li,.steps li{padding-left:12px}
    .advice{margin:3px 0 0 24px;font-size:12px;color:#57606a}
    .advice li:before{content:"ⓘ";color:#8c959f;margin:0 6px 0 -14px}
    .advice li{padding-left:14px}
    .muted{color:var(--muted)}
    .outcome{margin-top:8px;font-size:13px;color:#3d444d;word-break:break-word}
    .outcome b{color:var(--ink);font-weight:600}
    .steps{margin-top:2px;font-size:12.5px}
    .why{color:var(--bad)}
    .tag{display:inline-block;font-size:11px;font-weight:600;padding:0 6px;border-radius:4px;background:var(--warn-bg);color:var(--warn);border:1px solid #eed888;white-space:nowrap}
    .blocker{color:var(--ink)}
    footer{margin-top:18px;font-size:12px;color:var(--muted)}
    @media (max-width:1100px){.pair{flex-direction:column}.arrow{transform:rotate(90deg)}}
    """
}
