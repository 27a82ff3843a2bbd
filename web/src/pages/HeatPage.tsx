/** Placeholder while the page is built (issue 6). */
export default function HeatPage() {
  return (
    <section className="panel">
      <h2>Heat</h2>
    </section>
  );
}
