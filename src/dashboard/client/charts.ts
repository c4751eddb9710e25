/** The two trend charts, drawn by chart.js from our own bundle (only the parts we use are registered). */
import {
  type ChartConfiguration,
  type ChartType,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import type { DayVolume } from '../../store/read/overviewShape.js';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

const charts = new Map<string, { destroy(): void }>();

function draw<T extends ChartType>(canvasId: string, config: ChartConfiguration<T>): void {
  charts.get(canvasId)?.destroy();
  const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
  charts.set(canvasId, new Chart(canvas, config));
}

const common = {
  // No animation: the numbers are there at once, and a screenshot shows what the officer sees.
  animation: false as const,
  maintainAspectRatio: false,
  plugins: { legend: { position: 'bottom' as const } },
  scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
};

type Measure = Exclude<keyof DayVolume, 'day'>;

export function drawTrends(perDay: readonly DayVolume[]): void {
  const labels = perDay.map((d) => d.day);
  const series = (label: string, measure: Measure, color: string) => ({
    label,
    data: perDay.map((d) => d[measure]),
    borderColor: color,
    backgroundColor: color,
  });
  draw('chart-volume', {
    type: 'line',
    data: {
      labels,
      datasets: [series('Hook calls', 'invocations', '#2457c5'), series('Cards shown', 'cards', '#a15c00')],
    },
    options: common,
  });
  // Accepted and overridden stacked: the bar's height is all answers that day, red the share overridden.
  draw('chart-feedback', {
    type: 'bar',
    data: {
      labels,
      datasets: [series('Accepted', 'accepted', '#1f7a4d'), series('Overridden', 'overridden', '#b3261e')],
    },
    options: { ...common, scales: { x: { stacked: true }, y: { ...common.scales.y, stacked: true } } },
  });
}
