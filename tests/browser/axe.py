"""axe-core, run in the page the browser tests are on, at WCAG 2.2 A and AA."""

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


# The page's Content-Security-Policy runs no inline script without its nonce, so axe-core
# is added as the page's own scripts are: with the nonce they carry. (The admin's pages carry
# no inline script, so no nonce: the staff pages' test opens them with the policy set aside.)
INJECT_WITH_NONCE = """([source, selector]) => {
  const script = document.createElement("script");
  const tagged = document.querySelector(selector);
  if (tagged) script.nonce = tagged.nonce;
  script.textContent = source;
  document.head.appendChild(script);
}"""


def axe_violations(page):
    page.evaluate(INJECT_WITH_NONCE, [AXE.read_text(), "script[nonce]"])
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:3])
        for v in results["violations"]
    ]
