/** Placeholder while the page is built (issue 6). */
export default function WaterPage() {
  return (
    <section className="panel">
      <h2>Water</h2>
    </section>
  );
}
