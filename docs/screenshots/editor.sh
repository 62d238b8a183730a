#!/usr/bin/env bash
# Regenerates docs/editor-diagnostics.svg: Neovim (0.7+, from Debian's package) under tmux,
# with `transcript-audit server` on samples/reponses-types-livraison.yaml, the hover of a
# finding open. Needs tmux, nvim and the project installed; run from the project root:
#     bash docs/screenshots/editor.sh
set -euo pipefail
root=$(pwd)
work=$(mktemp -d)
trap 'tmux kill-session -t transcript-audit-shot 2>/dev/null || true; rm -rf "$work"' EXIT
cp samples/reponses-types-livraison.yaml "$work/"
cat > "$work/init.lua" <<'LUA'
-- Neovim 0.7's API; docs/editors.md has the 0.8+ one (vim.lsp.start).
vim.o.number = true
vim.o.signcolumn = "yes"
vim.o.linebreak = true  -- floats too: wrap the hover at words
vim.cmd("highlight NormalFloat ctermbg=236 ctermfg=252 | highlight FloatBorder ctermbg=236 ctermfg=244 | highlight SignColumn ctermbg=NONE")
vim.diagnostic.config({ virtual_text = true, underline = true, signs = true })
vim.lsp.handlers["textDocument/hover"] = vim.lsp.with(vim.lsp.handlers.hover, { border = "rounded", max_width = 100 })
vim.api.nvim_create_autocmd("FileType", {
  pattern = "yaml",
  callback = function(args)
    local id = vim.lsp.start_client({ name = "transcript-audit", cmd = { "transcript-audit", "server" }, root_dir = vim.fn.getcwd() })
    vim.lsp.buf_attach_client(args.buf, id)
  end,
})
LUA
cd "$work"
export TRANSCRIPT_AUDIT_CACHE_DIR="$work/cache"
tmux new-session -d -s transcript-audit-shot -x 118 -y 30 "env TERM=xterm-256color PATH='$PATH' nvim -u init.lua reponses-types-livraison.yaml"
for _ in $(seq 120); do  # until the diagnostics are shown (the server loads the model first)
  sleep 0.5
  tmux capture-pane -t transcript-audit-shot -p | grep -q "formule de clôture" && break
done
tmux send-keys -t transcript-audit-shot "15Gzt19G84|"
sleep 0.5
tmux send-keys -t transcript-audit-shot ":lua vim.lsp.buf.hover()" Enter
sleep 2
tmux send-keys -t transcript-audit-shot ":" C-u  # clear the command line
sleep 0.5
tmux capture-pane -t transcript-audit-shot -e -p > screen.ansi
python - "$root/docs/editor-diagnostics.svg" <<'PY'
import sys
from rich.console import Console
from rich.text import Text

console = Console(record=True, width=118, color_system="256", file=open("/dev/null", "w"))
console.print(Text.from_ansi(open("screen.ansi", encoding="utf-8").read().rstrip("\n")))
console.save_svg(sys.argv[1], title="nvim reponses-types-livraison.yaml — transcript-audit server")
PY
echo "wrote docs/editor-diagnostics.svg"
