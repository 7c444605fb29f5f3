import { describe, expect, it } from "vitest";
import { cleanHeldOutQueries, type GeneratedQuery } from "./clean-queries.ts";

const q = (query: string, passageId: string, kind = "heading"): GeneratedQuery => ({ query, passageId, kind });

describe("cleaning held-out queries", () => {
  it("drops boilerplate headings, too-short and empty queries, keeps specific ones", () => {
    const { kept, dropped, examples } = cleanHeldOutQueries([
      q("Note", "p1"),
      q("Tip", "p2"),
      q("See also", "p3"),
      q("Caution!", "p4"),
      q("Examples and notes", "p5"),
      q("Vacuuming", "p6"),
      q("1.2.3", "p7"),
      q("Routine vacuuming of tables", "p8"),
      q("Why does pg_dump skip unlogged tables?", "p9", "question"),
    ]);
    expect(kept.map((k) => k.query)).toEqual(["Routine vacuuming of tables", "Why does pg_dump skip unlogged tables?"]);
    expect(dropped).toMatchObject({ boilerplate: 5, "too-short": 1, empty: 1 });
    expect(examples.boilerplate).toEqual(["Note", "Tip", "See also"]);
  });

  it("drops a heading the corpus shares across many documents, counting the whole population", () => {
    const population = ["a", "b", "c", "d"].map((d) => q("Installing Apache", `${d}#1`));
    const heldout = [q("Installing Apache", "a#1"), q("Installing the mod_ssl module", "a#2")];
    const documentOf = (id: string) => id.split("#")[0];
    const { kept, dropped } = cleanHeldOutQueries(heldout, { population: [...population, ...heldout], documentOf });
    expect(kept.map((k) => k.query)).toEqual(["Installing the mod_ssl module"]);
    expect(dropped.generic).toBe(1);
    // the same heading in two documents still names a place: kept, with both passages as its answers
    const two = cleanHeldOutQueries([q("Installing Apache", "a#1"), q("installing  apache", "b#1")], { documentOf });
    expect(two.kept).toEqual([q("Installing Apache", "a#1"), q("Installing Apache", "b#1")]);
    expect(two.dropped.generic).toBe(0);
  });

  it("drops exact duplicates within a document and near-duplicates anywhere, the first one winning", () => {
    const documentOf = (id: string) => id.split("#")[0];
    const { kept, dropped } = cleanHeldOutQueries(
      [
        q("Configuring the network interface", "net#1"),
        q("Configuring the Network Interface.", "net#2"),
        q("configure network interfaces", "other#1", "question"),
        q("The resolver reads /etc/resolv.conf at start-up and caches nothing.", "dns#1", "cloze"),
        q("Network interface bonding modes", "net#3"),
      ],
      { documentOf },
    );
    expect(kept.map((k) => k.query)).toEqual([
      "Configuring the network interface",
      "The resolver reads /etc/resolv.conf at start-up and caches nothing.",
      "Network interface bonding modes",
    ]);
    expect(dropped).toMatchObject({ duplicate: 1, "near-duplicate": 1 });
  });

  it("keeps question-like, heading and cloze queries and drops salient-term lists unless asked for", () => {
    const input = [
      q("vacuum autovacuum daemon tuples", "p1", "terms"),
      q("How is autovacuum tuned?", "p2", "question"),
      q("Autovacuum daemon settings", "p3"),
    ];
    expect(cleanHeldOutQueries(input).kept.map((k) => k.kind)).toEqual(["question", "heading"]);
    expect(cleanHeldOutQueries(input).dropped.kind).toBe(1);
    expect(cleanHeldOutQueries(input, { kinds: null }).kept).toHaveLength(3);
  });

  it("refuses nonsensical options with a message naming them", () => {
    expect(() => cleanHeldOutQueries([], { maxDocuments: 0 })).toThrow(/maxDocuments 0/);
    expect(() => cleanHeldOutQueries([], { nearDuplicate: 1.5 })).toThrow(/nearDuplicate 1.5/);
  });
});
