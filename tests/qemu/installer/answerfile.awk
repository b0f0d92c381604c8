# Flattens an XML answerfile into one line per element, in document order:
#
#   NAME <TAB> ATTRIBUTES <TAB> TEXT
#
# ATTRIBUTES is ' key="value"' repeated (values keep their entity encoding,
# single quotes are turned into double ones); TEXT is the element's own
# character data with entities decoded, newlines turned into spaces and
# leading/trailing white space stripped (xcp.xmlunwrap.getText strips too).
# The first line is the root element.
#
# This is the stand-in for xml.dom.minidom in 6.0.2's answerfile.py: enough
# XML for answerfiles (elements, attributes, text, comments, CDATA, the XML
# declaration and a DOCTYPE), and malformed input is refused, as minidom
# refuses it ("Answerfile is incorrectly formatted.").  Busybox awk.

function fail(msg) {
	print "answerfile: " msg > "/dev/stderr"
	failed = 1
	exit 1
}

function decode(s) {
	gsub(/&lt;/, "<", s)
	gsub(/&gt;/, ">", s)
	gsub(/&quot;/, "\"", s)
	gsub(/&apos;/, "'", s)
	gsub(/&amp;/, "\\&", s)
	return s
}

function addtext(t) {
	if (sp == 0) {
		if (t ~ /[^ \t\r\n]/)
			fail("text outside the root element")
		return
	}
	text[stack[sp]] = text[stack[sp]] decode(t)
}

function parse_attrs(a, id,    out, m, k, v, q) {
	out = ""
	while (1) {
		sub(/^[ \t\r\n]+/, "", a)
		if (a == "")
			break
		if (!match(a, /^[A-Za-z_:][-A-Za-z0-9_:.]*[ \t\r\n]*=[ \t\r\n]*/))
			fail("bad attribute syntax in <" name[id] ">")
		k = substr(a, 1, RLENGTH)
		sub(/[ \t\r\n]*=[ \t\r\n]*$/, "", k)
		a = substr(a, RLENGTH + 1)
		q = substr(a, 1, 1)
		if (q != "\"" && q != "'")
			fail("unquoted attribute value in <" name[id] ">")
		a = substr(a, 2)
		m = index(a, q)
		if (m == 0)
			fail("unterminated attribute value in <" name[id] ">")
		v = substr(a, 1, m - 1)
		a = substr(a, m + 1)
		gsub(/"/, "\\&quot;", v)
		out = out " " k "=\"" v "\""
	}
	return out
}

BEGIN {
	RS = "\001"
	doc = ""
}

{
	doc = doc $0
}

END {
	if (failed)
		exit 1
	s = doc
	n = 0
	sp = 0
	seen_root = 0
	while (length(s) > 0) {
		i = index(s, "<")
		if (i == 0) {
			addtext(s)
			break
		}
		if (i > 1)
			addtext(substr(s, 1, i - 1))
		s = substr(s, i)
		if (substr(s, 1, 4) == "<!--") {
			j = index(s, "-->")
			if (j == 0)
				fail("unterminated comment")
			s = substr(s, j + 3)
			continue
		}
		if (substr(s, 1, 9) == "<![CDATA[") {
			j = index(s, "]]>")
			if (j == 0)
				fail("unterminated CDATA section")
			if (sp == 0)
				fail("CDATA outside the root element")
			text[stack[sp]] = text[stack[sp]] substr(s, 10, j - 10)
			s = substr(s, j + 3)
			continue
		}
		if (substr(s, 1, 2) == "<?") {
			j = index(s, "?>")
			if (j == 0)
				fail("unterminated processing instruction")
			s = substr(s, j + 2)
			continue
		}
		if (substr(s, 1, 2) == "<!") {
			j = index(s, ">")
			if (j == 0)
				fail("unterminated declaration")
			s = substr(s, j + 1)
			continue
		}
		j = index(s, ">")
		if (j == 0)
			fail("unterminated tag")
		tag = substr(s, 2, j - 2)
		s = substr(s, j + 1)
		if (substr(tag, 1, 1) == "/") {
			tname = substr(tag, 2)
			sub(/[ \t\r\n]+$/, "", tname)
			if (sp == 0 || name[stack[sp]] != tname)
				fail("mismatched closing tag </" tname ">")
			sp--
			continue
		}
		selfclose = 0
		if (substr(tag, length(tag), 1) == "/") {
			selfclose = 1
			tag = substr(tag, 1, length(tag) - 1)
		}
		if (!match(tag, /^[A-Za-z_:][-A-Za-z0-9_:.]*/))
			fail("bad tag <" tag ">")
		if (sp == 0 && seen_root)
			fail("more than one root element")
		seen_root = 1
		n++
		name[n] = substr(tag, 1, RLENGTH)
		attrs[n] = parse_attrs(substr(tag, RLENGTH + 1), n)
		text[n] = ""
		if (!selfclose)
			stack[++sp] = n
	}
	if (sp != 0)
		fail("unclosed element <" name[stack[sp]] ">")
	if (n == 0)
		fail("no root element")
	for (k = 1; k <= n; k++) {
		t = text[k]
		gsub(/[\r\n\t]/, " ", t)
		sub(/^ +/, "", t)
		sub(/ +$/, "", t)
		printf "%s\t%s\t%s\n", name[k], attrs[k], t
	}
}
