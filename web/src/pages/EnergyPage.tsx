/** Placeholder while the page is built (issue 6). */
export default function EnergyPage() {
  return (
    <section className="panel">
      <h2>Energy</h2>
    </section>
  );
}
