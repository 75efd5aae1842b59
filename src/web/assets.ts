// The page's only assets, served from the daemon itself (CSP 'self'; no CDN, no fonts, no build step).

export const STYLE = `
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans CJK SC","PingFang SC",sans-serif;color:#1d2330;background:#f6f7f9}
header{display:flex;flex-wrap:wrap;gap:.5rem 1.2rem;align-items:center;padding:.6rem 1rem;background:#1d2330;color:#fff}
header a{color:#fff;text-decoration:none;font-weight:600}header .sp{flex:1}
main{max-width:1400px;margin:0 auto;padding:1rem}
h1{font-size:1.3rem;margin:.2rem 0 1rem}h2{font-size:1.05rem;margin:1.4rem 0 .5rem}
table{width:100%;border-collapse:collapse;background:#fff}th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #e3e6ea;vertical-align:top}
th{font-size:.8rem;text-transform:uppercase;color:#5a6270}
.scroll{overflow-x:auto}
.sev{display:inline-block;padding:0 .4rem;border-radius:3px;font-size:.8rem;font-weight:600;color:#fff}
.sev-critical{background:#b3261e}.sev-error{background:#d9480f}.sev-warning{background:#a67c00}.sev-info{background:#3b6fb6}
.state-resolved{color:#5a6270}.muted{color:#5a6270;font-style:italic}
form.inline{display:inline}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin-bottom:1rem}
label{display:flex;flex-direction:column;font-size:.8rem;color:#5a6270;gap:.15rem}
input,select,textarea,button{font:inherit;padding:.35rem .5rem;border:1px solid #b8bec8;border-radius:4px;background:#fff;max-width:100%}
textarea{width:100%;min-height:5rem}
button{background:#1d5fd1;color:#fff;border-color:#1d5fd1;cursor:pointer}button.secondary{background:#fff;color:#1d5fd1}
pre{white-space:pre-wrap;word-break:break-all;background:#fff;border:1px solid #e3e6ea;padding:.5rem;margin:.3rem 0;font-size:.85rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:.6rem}
.card{background:#fff;border:1px solid #e3e6ea;border-radius:6px;padding:.6rem}
.bars{width:100%;height:60px;background:#fff;border:1px solid #e3e6ea}.bars rect{fill:#1d5fd1}
header label.toggle{flex-direction:row;color:#fff;gap:.3rem}
.err{background:#fde8e7;border:1px solid #b3261e;padding:.5rem;border-radius:4px}
.ok{background:#e6f4ea;border:1px solid #2e7d32;padding:.5rem;border-radius:4px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;background:#fff;padding:.6rem;border:1px solid #e3e6ea}dt{color:#5a6270}dd{margin:0;word-break:break-word}
@media (max-width:600px){th.wide,td.wide{display:none}main{padding:.5rem}dl{grid-template-columns:1fr}dt{margin-top:.4rem}}
`;

/** Optional refresh: the page works without it (reload by hand); with it, lists refresh every 30 s unless the user is typing. */
export const REFRESH_JS = `
(function(){var box=document.getElementById('autorefresh');if(!box)return;
box.checked=localStorage.getItem('apiwatch-refresh')==='1';
box.addEventListener('change',function(){localStorage.setItem('apiwatch-refresh',box.checked?'1':'0')});
setInterval(function(){var a=document.activeElement;if(box.checked&&!(a&&/INPUT|TEXTAREA|SELECT/.test(a.tagName)))location.reload()},30000);})();
`;
