/** Placeholder while the page is built (issue 6). */
export default function SimulatorPage() {
  return (
    <section className="panel">
      <h2>Simulator</h2>
    </section>
  );
}
